import Mail
import Runtime

/// Builds the password-reset mail: a plain-text part and an HTML alternative with the link
/// `<PUBLIC_URL>/reset-password#token=<token>` (the token stays in the fragment, out of server logs).
struct PasswordResetMail {
    let publicURL: String
    let from: MailAddress

    enum Problem: Error { case unknownKind, badRecipient, badToken }

    func make(for job: MailJob, date: UTCTime = .now()) throws(Problem) -> MailMessage {
        guard job.kind == "password_reset" else { throw .unknownKind }
        guard let to = MailAddress(address: job.to) else { throw .badRecipient }
        guard let token = job.token, PasswordResetMail.isToken(token) else { throw .badToken }
        let link = "\(publicURL)/reset-password#token=\(token)"
        let name = job.username.flatMap { $0.isEmpty ? nil : $0 }
        let greeting = name.map { "Hello \($0)," } ?? "Hello,"
        let text = """
            \(greeting)

            someone (hopefully you) asked to reset the password of your Chat account.
            Open this link to choose a new password:

            \(link)

            The link expires in one hour and works only once. If you did not ask for this,
            ignore this mail: your password stays as it is.
            """
        let html = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>Reset your password</title></head>
            <body style="font-family: sans-serif; line-height: 1.5">
            <p>\(PasswordResetMail.escape(greeting))</p>
            <p>someone (hopefully you) asked to reset the password of your Chat account.</p>
            <p><a href="\(PasswordResetMail.escape(link))">Choose a new password</a></p>
            <p>The link expires in one hour and works only once. If you did not ask for this,
            ignore this mail: your password stays as it is.</p>
            </body></html>
            """
        return MailMessage(
            from: from, to: [to], subject: "Reset your password", text: text, html: html, date: date,
            extraHeaders: [("Auto-Submitted", "auto-generated")])
    }

    /// Tokens are base64url (SecureRandom.token): nothing else may reach the link or the HTML.
    static func isToken(_ token: String) -> Bool {
        (16...256).contains(token.utf8.count)
            && token.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
            }
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
