import CCurl

/// Sends finished RFC 5322 messages through an SMTP server with libcurl.
///
/// Every `send` blocks its thread (run it on a worker thread, never on an event loop) and uses its
/// own curl handle, so one sender may be used from many threads at once.
public final class SMTPSender: Sendable {
    /// How to use STARTTLS on an `smtp://` URL (`smtps://` is TLS from the first byte anyway).
    public enum StartTLS: Sendable {
        /// Upgrade when the server offers it, else continue in clear text (CURLUSESSL_TRY).
        case `try`
        /// Fail unless the connection is encrypted (CURLUSESSL_ALL).
        case require
    }

    public let url: String
    public let startTLS: StartTLS
    let user: String?
    let password: String?
    public let timeout: Double
    public let connectTimeout: Double

    /// - Parameters:
    ///   - url: `smtp://host[:port]` or `smtps://host[:port]`.
    ///   - timeout: the whole transfer, in seconds; `connectTimeout` bounds the TCP+TLS connect.
    public init(
        url: String, startTLS: StartTLS = .try, user: String? = nil, password: String? = nil,
        timeout: Double = 30, connectTimeout: Double = 10
    ) {
        self.url = url
        self.startTLS = startTLS
        self.user = user
        self.password = password
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        _ = SMTPSender.globalInit
    }

    /// Sends `message` (CRLF line endings) from the envelope sender `from` to every address in `to`.
    /// Returns when the server accepted the message (250 after DATA); throws otherwise.
    public func send(from: String, to: [String], message: [UInt8]) throws(MailError) {
        guard !to.isEmpty else { throw MailError(code: MailError.invalidMessage, message: "no recipients") }
        for address in [from] + to where !MailAddress.isSafe(address) {
            throw MailError(code: MailError.invalidMessage, message: "unsafe envelope address")
        }
        let transfer = try SMTPTransfer()
        defer { transfer.close() }
        try transfer.configure(sender: self, from: from, to: to, message: message)
        try transfer.perform()
    }

    /// Renders and sends a `MailMessage` to its recipients.
    public func send(_ message: MailMessage) throws(MailError) {
        try send(from: message.from.address, to: message.to.map(\.address), message: message.render())
    }

    /// curl_global_init is not thread-safe: run it once, before any handle exists (a Swift global
    /// initialiser runs exactly once, under a lock).
    private static let globalInit: Int32 = Int32(curl_global_init(Int(CURL_GLOBAL_DEFAULT)).rawValue)
}
