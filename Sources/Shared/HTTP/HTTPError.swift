/// An error that knows its status and renders as the contract's error shape:
/// `{"error": {"code": "snake_case", "message": "…", "fields": {…}}}`.
///
///     throw HTTPError(.notFound, "not_found", "No such room.")
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPStatus
    public var code: String
    public var message: String
    /// Field-level validation messages (400 only).
    public var fields: [String: String]
    /// Extra response headers, e.g. `Retry-After` on 429.
    public var headers: [(String, String)]

    public init(_ status: HTTPStatus, _ code: String, _ message: String, fields: [String: String] = [:], headers: [(String, String)] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers
    }

    public var description: String { "HTTP \(status.code) \(code): \(message)" }

    public static func validation(_ fields: [String: String], message: String = "Some fields are not valid.") -> HTTPError {
        HTTPError(.badRequest, "invalid_input", message, fields: fields)
    }
    public static func badRequest(_ code: String = "bad_request", _ message: String) -> HTTPError {
        HTTPError(.badRequest, code, message)
    }
    public static let unauthorized = HTTPError(.unauthorized, "not_authenticated", "You are not logged in.")
    public static let badOrigin = HTTPError(.forbidden, "bad_origin", "This request must come from the app's own origin.")
    public static func notFound(_ message: String = "Not found.") -> HTTPError { HTTPError(.notFound, "not_found", message) }
    public static func conflict(_ code: String, _ message: String) -> HTTPError { HTTPError(.conflict, code, message) }
    public static func tooLarge(_ message: String = "The request body is too large.") -> HTTPError {
        HTTPError(.contentTooLarge, "too_large", message)
    }
    public static func unsupportedMediaType(_ message: String = "Send this request as application/json.") -> HTTPError {
        HTTPError(.unsupportedMediaType, "unsupported_media_type", message)
    }
    public static func rateLimited(retryAfter seconds: Int) -> HTTPError {
        HTTPError(.tooManyRequests, "rate_limited", "Too many requests. Try again in \(max(1, seconds)) seconds.",
                  headers: [("Retry-After", String(max(1, seconds)))])
    }
    public static let internalError = HTTPError(.internalServerError, "internal_error", "Something went wrong on our side.")
    public static let unavailable = HTTPError(.serviceUnavailable, "unavailable", "The service is not ready. Try again shortly.")

    /// The JSON body of this error.
    public var body: [UInt8] {
        var json = "{\"error\":{\"code\":" + JSON.quote(code) + ",\"message\":" + JSON.quote(message)
        if !fields.isEmpty {
            json += ",\"fields\":{"
            json += fields.keys.sorted().map { JSON.quote($0) + ":" + JSON.quote(fields[$0]!) }.joined(separator: ",")
            json += "}"
        }
        json += "}}"
        return Array(json.utf8)
    }
}
