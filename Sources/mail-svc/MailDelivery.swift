import FoundationEssentials
import Glibc
import Mail
import Runtime

/// Where finished mail goes: an SMTP server, or `.eml` files when no SMTP_URL is set.
protocol MailDelivery: Sendable {
    /// Returns once the message is accepted (or written). Blocking.
    func deliver(_ message: MailMessage, jobID: String) throws
}

struct SMTPDelivery: MailDelivery {
    let sender: SMTPSender

    func deliver(_ message: MailMessage, jobID: String) throws { try sender.send(message) }
}

/// Writes each message as `<ms>-<job id>.eml` (mode 0600: it holds a live reset link) and logs its path.
/// A folder it creates is 0700: nginx's workers may enter DATA_DIR, and the names are nobody's business.
struct EMLDelivery: MailDelivery {
    let directory: String
    let log: Log

    func deliver(_ message: MailMessage, jobID: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let name = "\(UTCTime.now().milliseconds)-\(jobID).eml"
        let path = joinPath(directory, name)
        try FileIO.writeDurably(message.render(), to: path, mode: 0o600)
        log.info("mail written", ["path": path, "mail.id": jobID])
    }
}
