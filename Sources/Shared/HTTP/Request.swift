import Runtime

/// A parsed HTTP request as a handler sees it.
public struct Request: Sendable {
    public var method: String
    /// The request target as sent, e.g. `/api/rooms/7/messages?before=90`.
    public var target: String
    /// The path without the query, percent-decoding not applied.
    public var path: String
    /// Query parameters, percent-decoded (`+` is a space). The last value wins.
    public var query: [String: String]
    public var headers: Headers
    public var body: [UInt8]
    /// Values of `{name}` segments of the matched route, percent-decoded.
    public var parameters: [String: String] = [:]
    /// `X-Request-Id` from the client (nginx sets it) or a new one.
    public var requestID: String
    /// The peer address of the connection (`127.0.0.1:53422`); behind nginx see `X-Real-IP`.
    public var remoteAddress: String
    /// A logger whose lines carry `request.id`.
    public var log: Log

    public init(method: String, target: String, headers: Headers = Headers(), body: [UInt8] = [],
                requestID: String = "", remoteAddress: String = "", log: Log = Log(service: "test")) {
        self.method = method
        self.target = target
        let (path, query) = URLCoding.splitTarget(target)
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.requestID = requestID
        self.remoteAddress = remoteAddress
        self.log = log
    }

    /// The media type of the body, lower-cased and without parameters.
    public var contentType: String? {
        guard let raw = headers["Content-Type"] else { return nil }
        return raw.split(separator: ";", maxSplits: 1).first.map { $0.trimmingOWS().lowercased() }
    }

    /// Decodes a JSON body: 415 without `Content-Type: application/json`, 400 for bad JSON or wrong types.
    public func decode<T: Decodable>(_ type: T.Type) throws(HTTPError) -> T {
        guard contentType == "application/json" else { throw HTTPError.unsupportedMediaType() }
        return try JSON.decode(type, from: body)
    }

    /// A path parameter that must be a positive integer id; anything else is 404 (the id cannot exist).
    public func id(_ name: String) throws(HTTPError) -> Int {
        guard let raw = parameters[name], let value = Int(raw), value > 0 else { throw HTTPError.notFound() }
        return value
    }

    /// An optional integer query parameter within `range`; 400 with a field message otherwise.
    public func queryInt(_ name: String, in range: ClosedRange<Int>) throws(HTTPError) -> Int? {
        guard let raw = query[name], !raw.isEmpty else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            throw HTTPError.validation([name: "Must be a whole number from \(range.lowerBound) to \(range.upperBound)."])
        }
        return value
    }

    /// The user nginx authenticated (`X-User-Id`, `X-Username` from auth_request); 401 when absent.
    public func authenticatedUser() throws(HTTPError) -> (id: Int, username: String) {
        guard let raw = headers["X-User-Id"], let id = Int(raw), id > 0 else { throw HTTPError.unauthorized }
        return (id, headers["X-Username"] ?? "")
    }
}
