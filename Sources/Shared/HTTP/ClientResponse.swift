/// A response received by `HTTPClient`.
public struct ClientResponse: Sendable {
    public var status: Int
    public var headers: Headers
    public var body: [UInt8]

    public init(status: Int, headers: Headers, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body decoded as JSON; failures are 400-shaped `HTTPError`s.
    public func json<T: Decodable>(_ type: T.Type) throws -> T {
        try JSON.decode(type, from: body)
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why a client request failed before a complete response arrived.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "HTTP client: \(message)" }
}
