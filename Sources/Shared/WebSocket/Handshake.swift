import Crypto
import HTTP

/// The opening handshake of RFC 6455 §4.2, on top of our HTTP server: check the upgrade
/// request, then answer `101 Switching Protocols` with a handler for the connection.
///
///     router.get("/ws") { request in
///         try Handshake.accept(request) { WebSocketConnection(log: request.log) { ... } }
///     }
public enum Handshake {
    /// RFC 6455 §1.3: appended to the client's key before hashing.
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// The `Sec-WebSocket-Accept` value for a client key: base64(SHA-1(key + GUID)).
    public static func makeAcceptKey(for key: String) -> String {
        Base64.encode(Digest.sha1(Array((key + guid).utf8)))
    }

    /// Checks an upgrade request (RFC 6455 §4.2.1) and returns the client's key.
    ///
    /// - Throws: `HTTPError` 405 for a method other than GET; 426 with `Upgrade: websocket` and
    ///   `Sec-WebSocket-Version: 13` when it is not a WebSocket upgrade or asks another version;
    ///   400 without `Host` or with a key that is not 16 base64-encoded bytes; 403 when
    ///   `allowedOrigins` is given and the request carries an `Origin` not in it (browsers always
    ///   send one, which is what stops cross-site WebSocket hijacking).
    public static func validate(_ request: Request, allowedOrigins: [String]? = nil) throws(HTTPError) -> String {
        guard request.method == "GET" else {
            throw HTTPError(.methodNotAllowed, "method_not_allowed", "A WebSocket upgrade uses GET.", headers: [("Allow", "GET")])
        }
        let upgradeRequired = HTTPError(.upgradeRequired, "upgrade_required", "This endpoint speaks WebSocket version 13.",
                                        headers: [("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13")])
        let upgrade = request.headers.values("Upgrade").flatMap(tokens)
        let connection = request.headers.values("Connection").flatMap(tokens)
        guard upgrade.contains("websocket"), connection.contains("upgrade") else { throw upgradeRequired }
        // §4.4: an unsupported version gets the versions we speak.
        guard request.headers["Sec-WebSocket-Version"]?.trimmingOWS() == "13" else { throw upgradeRequired }
        guard request.headers["Host"] != nil else { throw HTTPError.badRequest("bad_handshake", "The Host header is missing.") }
        guard let key = request.headers["Sec-WebSocket-Key"]?.trimmingOWS(),
              let decoded = Base64.decode(key), decoded.count == 16
        else { throw HTTPError.badRequest("bad_handshake", "Sec-WebSocket-Key must be 16 bytes in base64.") }
        if let allowedOrigins, let origin = request.headers["Origin"], !allowedOrigins.contains(origin) {
            throw HTTPError.badOrigin
        }
        return key
    }

    /// Validates `request` and returns the 101 response whose `upgrade` makes the connection's
    /// handler (on the connection's loop thread, once the response is written).
    public static func accept(_ request: Request, allowedOrigins: [String]? = nil,
                              _ makeHandler: @escaping @Sendable () -> any UpgradedConnection) throws(HTTPError) -> Response {
        let key = try validate(request, allowedOrigins: allowedOrigins)
        return switchingProtocols(acceptKey: makeAcceptKey(for: key), makeHandler)
    }

    /// The 101 response for an already validated key.
    public static func switchingProtocols(acceptKey: String, _ makeHandler: @escaping @Sendable () -> any UpgradedConnection) -> Response {
        let headers = Headers([("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", acceptKey)])
        return Response(status: .switchingProtocols, headers: headers, upgrade: makeHandler)
    }

    /// Comma-separated header tokens, lower-cased (RFC 9110 §5.6.1).
    private static func tokens(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingOWS().lowercased() }
    }
}
