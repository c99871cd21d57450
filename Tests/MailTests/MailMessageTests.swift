import Mail
import Runtime
import Testing
import TestSupport

struct MailMessageTests {
    static func make(subject: String = "Reset your password", text: String = "Hello\nworld", html: String? = "<p>Hello</p>")
        -> MailMessage
    {
        MailMessage(
            from: MailAddress(parsing: "Chat <noreply@chat.example>")!, to: [MailAddress(address: "ada@example.com")!],
            subject: subject, text: text, html: html, date: UTCTime(milliseconds: 1_795_220_821_000))
    }

    @Test func rendersHeadersAndAlternativeParts() throws {
        let raw = String(decoding: Self.make().render(), as: UTF8.self)
        let head = raw.components(separatedBy: "\r\n\r\n")[0]
        #expect(head.contains("Date: Sat, 21 Nov 2026 00:27:01 +0000\r\n"))
        #expect(head.contains("From: Chat <noreply@chat.example>\r\n"))
        #expect(head.contains("To: <ada@example.com>\r\n"))
        #expect(head.contains("Subject: Reset your password\r\n"))
        #expect(head.contains("MIME-Version: 1.0\r\n"))
        #expect(head.range(of: #"Message-ID: <[0-9a-f]{32}@chat\.example>"#, options: .regularExpression) != nil)
        let boundary = try #require(MailDecoding.boundary(head))
        let parts = MailDecoding.parts(raw, boundary: boundary)
        #expect(parts.count == 2)
        #expect(parts[0].headers.contains("text/plain; charset=utf-8"))
        #expect(parts[0].body == "Hello\r\nworld")
        #expect(parts[1].headers.contains("text/html; charset=utf-8"))
        #expect(parts[1].body == "<p>Hello</p>")
    }

    @Test func everyLineEndsInCRLFAndFitsSMTPLimits() {
        let long = String(repeating: "ü-lang ", count: 60) + "\n.leading dot\rtrailing space \n"
        let raw = Self.make(text: long, html: nil).render()
        let text = String(decoding: raw, as: UTF8.self)
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78) }
        #expect(raw.allSatisfy { $0 < 0x80 }, "7-bit clean")
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        #expect(MailDecoding.quotedPrintable(body) == MailEncoding.crlf(long) + "\r\n")
    }

    @Test func encodesNonASCIISubjectAndNames() {
        let subject = "Passwort zurücksetzen – " + String(repeating: "€", count: 30)
        var message = Self.make(subject: subject)
        message.from = MailAddress(name: "Zoë's Chat", address: "noreply@chat.example")!
        let head = String(decoding: message.render(), as: UTF8.self).components(separatedBy: "\r\n\r\n")[0]
        let subjectLine = head.components(separatedBy: "\r\nSubject: ")[1].components(separatedBy: "\r\nMessage-ID")[0]
        #expect(subjectLine.hasPrefix("=?UTF-8?B?"))
        #expect(MailDecoding.headerText(subjectLine) == subject)
        for line in head.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78) }
        #expect(head.contains("From: =?UTF-8?B?"))
    }

    @Test func quotesDisplayNamesWithSpecials() {
        #expect(MailAddress(name: "Chat, Inc.", address: "a@b.c")!.headerValue == "\"Chat, Inc.\" <a@b.c>")
        #expect(MailAddress(name: "Chat", address: "a@b.c")!.headerValue == "Chat <a@b.c>")
    }

    @Test(arguments: ["a@b.c\r\nBcc: x@y.z", "no-at-sign", "two@@b.c", "sp ace@b.c", "<a@b.c>", "@b.c", "a@"])
    func rejectsUnsafeAddresses(_ address: String) {
        #expect(MailAddress(address: address) == nil)
    }

    @Test func parsesMailboxForms() {
        #expect(MailAddress(parsing: "Chat <noreply@localhost>") == MailAddress(name: "Chat", address: "noreply@localhost"))
        #expect(MailAddress(parsing: "\"Chat Team\" <x@y.z>")?.name == "Chat Team")
        #expect(MailAddress(parsing: "x@y.z") == MailAddress(address: "x@y.z"))
        #expect(MailAddress(parsing: "Evil\r\nBcc: <x@y.z>") == nil)
    }

    @Test func headerTextTurnsLineBreaksIntoSpaces() {
        #expect(MailEncoding.headerText("Reset\r\nBcc: x@y.z") == "Reset  Bcc: x@y.z")
        #expect(MailEncoding.headerText("a\rb\nc") == "a b c")
    }

    @Test func quotedPrintableEscapesEqualsAndTrailingSpace() {
        #expect(MailEncoding.quotedPrintable("a=b \nc\t") == "a=3Db=20\r\nc=09")
        #expect(MailEncoding.quotedPrintable("é") == "=C3=A9")
    }

    @Test func dropsHeaderInjectionInExtraHeaders() {
        var message = Self.make()
        message.extraHeaders = [("Auto-Submitted", "auto-generated"), ("X-Evil", "a\r\nBcc: x@y.z")]
        let text = String(decoding: message.render(), as: UTF8.self)
        #expect(text.contains("Auto-Submitted: auto-generated\r\n"))
        #expect(!text.contains("Bcc"))
    }
}
