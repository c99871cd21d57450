/// A failed mail operation: a libcurl transfer error (`code` is the `CURLcode`, `responseCode` the
/// last SMTP reply code if the server answered) or an invalid message (`code == invalidMessage`).
public struct MailError: Error, CustomStringConvertible, Sendable {
    public var code: Int32
    public var message: String
    /// The SMTP reply code of the last server answer (e.g. 550), or 0 when none came.
    public var responseCode: Int

    public init(code: Int32, message: String, responseCode: Int = 0) {
        self.code = code
        self.message = message
        self.responseCode = responseCode
    }

    /// An address or header that cannot be sent safely (e.g. contains CR or LF).
    public static let invalidMessage: Int32 = -1

    /// True when the server refused for good (5xx); a retry will fail the same way.
    public var isPermanent: Bool { (500..<600).contains(responseCode) }

    public var description: String {
        code == MailError.invalidMessage
            ? "invalid mail: \(message)"
            : "SMTP failed (curl \(code)\(responseCode > 0 ? ", reply \(responseCode)" : "")): \(message)"
    }
}
