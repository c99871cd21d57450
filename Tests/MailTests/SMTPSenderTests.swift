import Foundation
import Mail
import Testing
import TestSupport

@Suite(.timeLimit(.minutes(1)))
struct SMTPSenderTests {
    @Test func deliversToARealSMTPServer() throws {
        let smtp = try SMTPServer.start()
        defer { smtp.stop() }
        let sender = SMTPSender(url: "smtp://127.0.0.1:\(smtp.port)", timeout: 10)
        let message = MailMessageTests.make(text: "line one\n.\nline three")
        let bytes = message.render()
        try sender.send(from: message.from.address, to: message.to.map(\.address), message: bytes)
        let mails = smtp.waitForMessages(count: 1)
        #expect(mails.count == 1)
        let mail = try #require(mails.first)
        #expect(mail.mailFrom == "noreply@chat.example")
        #expect(mail.recipients == ["ada@example.com"])
        #expect(mail.data == bytes, "received byte for byte")
        let boundary = try #require(MailDecoding.boundary(mail.headers["content-type"] ?? ""))
        #expect(MailDecoding.parts(mail.text, boundary: boundary).first?.body == "line one\r\n.\r\nline three")
    }

    @Test func sendsRawBytesToSeveralRecipients() throws {
        let smtp = try SMTPServer.start()
        defer { smtp.stop() }
        let sender = SMTPSender(url: "smtp://127.0.0.1:\(smtp.port)")
        let raw = Array("Subject: hi\r\n\r\nbody\r\n".utf8)
        try sender.send(from: "a@b.c", to: ["x@y.z", "q@r.s"], message: raw)
        let mail = try #require(smtp.waitForMessages(count: 1).first)
        #expect(mail.recipients == ["x@y.z", "q@r.s"])
        #expect(mail.text.hasPrefix("Subject: hi\r\n\r\nbody"))
    }

    @Test func failsFastWhenNothingListens() throws {
        let port = ServerProcess.freeLoopbackPort()
        let sender = SMTPSender(url: "smtp://127.0.0.1:\(port)", timeout: 5, connectTimeout: 2)
        let error = #expect(throws: MailError.self) { try sender.send(MailMessageTests.make()) }
        #expect(error?.code == 7, "CURLE_COULDNT_CONNECT, got \(String(describing: error))")
    }

    @Test func reportsARejectionWithItsReplyCode() throws {
        let smtp = try SMTPServer.start(rejectWith: 554)
        defer { smtp.stop() }
        let sender = SMTPSender(url: "smtp://127.0.0.1:\(smtp.port)")
        let error = #expect(throws: MailError.self) { try sender.send(MailMessageTests.make()) }
        #expect(error?.responseCode == 554)
        #expect(error?.isPermanent == true)
        #expect(smtp.messages().isEmpty)
    }

    @Test func requiredStartTLSRefusesAPlainServer() throws {
        let smtp = try SMTPServer.start()
        defer { smtp.stop() }
        let sender = SMTPSender(url: "smtp://127.0.0.1:\(smtp.port)", startTLS: .require)
        let error = #expect(throws: MailError.self) { try sender.send(MailMessageTests.make()) }
        #expect(error?.code == 64, "CURLE_USE_SSL_FAILED, got \(String(describing: error))")
        #expect(smtp.messages().isEmpty)
    }

    @Test func timesOutAgainstAStalledServer() throws {
        let smtp = try SMTPServer.start()
        defer { smtp.stop() }
        smtp.pause()
        defer { smtp.resume() }
        let sender = SMTPSender(url: "smtp://127.0.0.1:\(smtp.port)", timeout: 1, connectTimeout: 1)
        let error = #expect(throws: MailError.self) { try sender.send(MailMessageTests.make()) }
        #expect(error?.code == 28, "CURLE_OPERATION_TIMEDOUT, got \(String(describing: error))")
    }

    @Test func refusesUnsafeEnvelopeAddresses() {
        let sender = SMTPSender(url: "smtp://127.0.0.1:1")
        let error = #expect(throws: MailError.self) {
            try sender.send(from: "a@b.c", to: ["x@y.z>\r\nRCPT TO:<evil@z.z"], message: [])
        }
        #expect(error?.code == MailError.invalidMessage)
    }
}

