/// What a handler returns. The server adds `Date`, `Content-Length`, `X-Request-Id` and keep-alive headers.
public struct Response: Sendable {
    public var status: HTTPStatus
    public var headers: Headers
    public var body: [UInt8]
    /// Set on a `101 Switching Protocols` answer: the server writes the response, then hands the
    /// connection to the handler this makes (called once, on the connection's event-loop thread).
    public var upgrade: (@Sendable () -> any UpgradedConnection)?

    public init(status: HTTPStatus = .ok, headers: Headers = Headers(), body: [UInt8] = [],
                upgrade: (@Sendable () -> any UpgradedConnection)? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.upgrade = upgrade
    }

    /// A JSON response of an `Encodable` value.
    public static func json<T: Encodable>(_ value: T, status: HTTPStatus = .ok) throws -> Response {
        jsonBytes(try JSON.encode(value), status: status)
    }

    /// A JSON response from bytes that are already JSON.
    public static func jsonBytes(_ bytes: [UInt8], status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: Headers([("Content-Type", "application/json")]), body: bytes)
    }

    public static func text(_ text: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: Headers([("Content-Type", "text/plain; charset=utf-8")]), body: Array(text.utf8))
    }

    public static let noContent = Response(status: .noContent)

    /// The contract's error shape for `error`, with its extra headers.
    public static func error(_ error: HTTPError) -> Response {
        var headers = Headers([("Content-Type", "application/json")])
        for (name, value) in error.headers { headers.add(name, value) }
        return Response(status: error.status, headers: headers, body: error.body)
    }
}
