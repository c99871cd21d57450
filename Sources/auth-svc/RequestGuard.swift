import HTTP
import Runtime

/// The cross-site request checks of ARCHITECTURE.md "Requests and identity", written once and used
/// both by `/internal/verify` (for everything behind nginx's auth_request) and by auth-svc's own
/// public handlers (register, login, password reset), which nginx does not send through verify.
///
/// - Unsafe methods and WebSocket upgrades must carry `Origin` equal to the public origin (403).
/// - Unsafe methods on `/api/` with a body must send `Content-Type: application/json` (415), except
///   the image upload routes, which send the image's own type. A cross-site form cannot send that
///   type without a CORS preflight, which we never grant. A request without a body (leave a room,
///   log out) needs no type: the contract asks for one only with a body, and the Origin check
///   already refuses cross-site requests of any kind.
struct RequestGuard: Sendable {
    let publicOrigin: String

    static let safeMethods: Set<String> = ["GET", "HEAD", "OPTIONS"]

    /// Checks one request given as nginx describes it in verify, or as it arrived at a handler.
    func check(method: String, path: String, headers: Headers, hasBody: Bool) throws(HTTPError) {
        let unsafe = !Self.safeMethods.contains(method.uppercased())
        let upgrade = headers["Upgrade"].map { !$0.trimmingOWS().isEmpty } ?? false
        if unsafe || upgrade {
            guard let origin = headers["Origin"], origin == publicOrigin else { throw HTTPError.badOrigin }
        }
        // nginx routes on the decoded, slash-merged, dot-resolved path; judge that same path.
        let path = Self.normalize(path)
        if unsafe && hasBody && path.hasPrefix("/api/") && !Self.isUpload(method: method.uppercased(), path: path) {
            guard Self.mediaType(headers["Content-Type"]) == "application/json" else {
                throw HTTPError.unsupportedMediaType()
            }
        }
    }

    /// Checks a request that reached one of auth-svc's own routes.
    func check(_ request: Request) throws(HTTPError) {
        try check(method: request.method, path: request.path, headers: request.headers, hasBody: !request.body.isEmpty)
    }

    /// The routes whose body is image bytes: `PUT /api/auth/me/avatar`, `PUT /api/rooms/{id}/picture`,
    /// `POST /api/rooms/{id}/images`.
    static func isUpload(method: String, path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        // "", "api", ...
        if method == "PUT" && parts == ["", "api", "auth", "me", "avatar"] { return true }
        if parts.count == 5, parts[1] == "api", parts[2] == "rooms", !parts[3].isEmpty,
            parts[3].allSatisfy({ $0.isASCII && $0.isNumber })
        {
            return (method == "PUT" && parts[4] == "picture") || (method == "POST" && parts[4] == "images")
        }
        return false
    }

    /// Strips the query, percent-decodes, merges slashes and resolves `.`/`..` segments, as nginx
    /// does before matching locations. Undecodable input becomes `/api/` so the strict rule applies.
    static func normalize(_ target: String) -> String {
        let raw = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard let decoded = URLCoding.percentDecode(raw) else { return "/api/" }
        var out: [Substring] = []
        for part in decoded.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { _ = out.popLast(); continue }
            out.append(part)
        }
        return "/" + out.joined(separator: "/") + (decoded.hasSuffix("/") && !out.isEmpty ? "/" : "")
    }

    static func mediaType(_ header: String?) -> String? {
        guard let header else { return nil }
        return header.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first
            .map { $0.trimmingOWS().lowercased() }
    }
}
