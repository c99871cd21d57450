/// Why a request could not be parsed. The connection answers with `status` in the contract's
/// error shape and is closed, because the framing of anything after it cannot be trusted.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPStatus
    public var code: String
    public var message: String

    public init(_ status: HTTPStatus, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    static func bad(_ message: String) -> HTTPParseError { HTTPParseError(.badRequest, "bad_request", message) }
    static let uriTooLong = HTTPParseError(.uriTooLong, "uri_too_long", "The request line is too long.")
    static let headersTooLarge = HTTPParseError(.headerFieldsTooLarge, "headers_too_large", "The request headers are too large.")
    static let tooManyHeaders = HTTPParseError(.headerFieldsTooLarge, "headers_too_large", "The request has too many headers.")
    static let bodyTooLarge = HTTPParseError(.contentTooLarge, "too_large", "The request body is too large.")
    static let versionNotSupported = HTTPParseError(.httpVersionNotSupported, "version_not_supported",
                                                    "Only HTTP/1.0 and HTTP/1.1 are supported.")
}
