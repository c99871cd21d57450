import Runtime

/// A mail to render as RFC 5322 + MIME: `multipart/alternative` with a text/plain and a text/html
/// part when `html` is set, else a single text/plain part. Bodies are UTF-8, quoted-printable, with
/// CRLF line endings; the subject and display names become encoded-words when not ASCII.
public struct MailMessage: Sendable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var subject: String
    public var text: String
    public var html: String?
    public var date: UTCTime
    /// Without angle brackets; generated (random@sender-domain) when nil.
    public var messageID: String?
    /// Extra headers, e.g. `("Auto-Submitted", "auto-generated")`. Values with CR or LF are dropped.
    public var extraHeaders: [(String, String)]

    public init(
        from: MailAddress, to: [MailAddress], subject: String, text: String, html: String? = nil,
        date: UTCTime = .now(), messageID: String? = nil, extraHeaders: [(String, String)] = []
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.date = date
        self.messageID = messageID
        self.extraHeaders = extraHeaders
    }

    /// The message bytes, ready for SMTP DATA or an .eml file.
    public func render() -> [UInt8] {
        let id = messageID ?? MailMessage.makeMessageID(domain: from.address.split(separator: "@").last.map(String.init) ?? "localhost")
        var head: [(String, String)] = [
            ("Date", MailMessage.rfc5322Date(date)),
            ("From", from.headerValue),
            ("To", to.map(\.headerValue).joined(separator: ",\r\n ")),
            ("Subject", MailEncoding.headerText(subject)),
            ("Message-ID", "<\(id)>"),
            ("MIME-Version", "1.0"),
        ]
        for (name, value) in extraHeaders where MailMessage.isSafeHeader(name, value) { head.append((name, value)) }

        var body = ""
        if let html {
            let boundary = "=_chat_" + MailMessage.randomHex(12)
            head.append(("Content-Type", "multipart/alternative;\r\n boundary=\"\(boundary)\""))
            body += "This is a multi-part message in MIME format.\r\n"
            body += "--\(boundary)\r\n" + MailMessage.part("text/plain", text)
            body += "--\(boundary)\r\n" + MailMessage.part("text/html", html)
            body += "--\(boundary)--\r\n"
        } else {
            head.append(("Content-Type", "text/plain; charset=utf-8"))
            head.append(("Content-Transfer-Encoding", "quoted-printable"))
            body = MailEncoding.quotedPrintable(text) + "\r\n"
        }
        let header = head.map { "\($0.0): \($0.1)\r\n" }.joined()
        return Array((header + "\r\n" + body).utf8)
    }

    private static func part(_ type: String, _ content: String) -> String {
        "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + MailEncoding.quotedPrintable(content) + "\r\n"
    }

    /// `Sat, 28 Nov 2026 00:27:01 +0000` (RFC 5322 §3.3).
    static func rfc5322Date(_ time: UTCTime) -> String {
        var http = time.httpDate  // "Sat, 28 Nov 2026 00:27:01 GMT"
        if http.hasSuffix(" GMT") { http = String(http.dropLast(4)) + " +0000" }
        return http
    }

    static func makeMessageID(domain: String) -> String { "\(randomHex(16))@\(domain)" }

    static func randomHex(_ count: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return String((0..<count).flatMap { _ in
            let b = UInt8.random(in: 0...255, using: &rng)
            return [digits[Int(b >> 4)], digits[Int(b & 15)]]
        })
    }

    static func isSafeHeader(_ name: String, _ value: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != ":" }
            && !value.utf8.contains(0x0D) && !value.utf8.contains(0x0A)  // bytes: "\r\n" is one Character
    }
}
