/// An HTTP version such as 1.1.
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public init(_ major: Int, _ minor: Int) {
        self.major = major
        self.minor = minor
    }
    public static let http1_0 = HTTPVersion(1, 0)
    public static let http1_1 = HTTPVersion(1, 1)
    public var description: String { "HTTP/\(major).\(minor)" }
}

/// How the body of a request is delimited (RFC 9112 §6).
public enum BodyFraming: Sendable, Equatable {
    case none
    case length(Int)
    case chunked
}

/// A parsed request line and header block, before the body.
public struct RequestHead: Sendable {
    public var method: String
    /// The request target in origin form (`/path?query`), or `*`.
    public var target: String
    public var version: HTTPVersion
    public var headers: Headers
    public var framing: BodyFraming
    /// Whether the connection may carry another request after this one (RFC 9112 §9.3).
    public var keepAlive: Bool
    /// `Expect: 100-continue` was sent: the client waits for `100 Continue` before the body.
    public var expectContinue: Bool
    /// `Connection: upgrade` with an `Upgrade` header.
    public var upgradeRequested: Bool
}
