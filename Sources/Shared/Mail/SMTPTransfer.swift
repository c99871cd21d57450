import CCurl

/// Owns one curl easy handle for one SMTP transfer, with everything curl may read while it runs:
/// the recipient list, the message bytes and the error buffer. Used by one thread, then closed.
final class SMTPTransfer {
    private var handle: UnsafeMutableRawPointer?
    private var recipients: UnsafeMutablePointer<curl_slist>?
    private var upload = UploadSource()
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

    init() throws(MailError) {
        guard let curl = curl_easy_init() else {
            throw MailError(code: Int32(CURLE_FAILED_INIT.rawValue), message: "curl_easy_init failed")
        }
        handle = curl
    }

    deinit { assert(handle == nil, "SMTPTransfer leaked: call close()") }

    func close() {
        if let handle { curl_easy_cleanup(handle) }
        handle = nil
        if let recipients { curl_slist_free_all(recipients) }
        recipients = nil
    }

    func configure(sender: SMTPSender, from: String, to: [String], message: [UInt8]) throws(MailError) {
        upload = UploadSource(message)
        for address in to { recipients = curl_slist_append(recipients, "<\(address)>") }
        // libcurl-thread(3): signals and threads don't mix, so NOSIGNAL is always on.
        try check(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        try check(ccurl_setopt_string(handle, CURLOPT_URL, sender.url))
        try check(ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(sender.connectTimeout * 1000)))
        try check(ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(sender.timeout * 1000)))
        let tls = sender.startTLS == .require ? CURLUSESSL_ALL : CURLUSESSL_TRY
        try check(ccurl_setopt_long(handle, CURLOPT_USE_SSL, Int(tls.rawValue)))
        if let user = sender.user {
            try check(ccurl_setopt_string(handle, CURLOPT_USERNAME, user))
            try check(ccurl_setopt_string(handle, CURLOPT_PASSWORD, sender.password ?? ""))
        }
        try check(ccurl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(from)>"))
        try check(ccurl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients))
        try check(ccurl_setopt_long(handle, CURLOPT_UPLOAD, 1))
        try check(ccurl_setopt_long(handle, CURLOPT_INFILESIZE_LARGE, message.count))
        try check(ccurl_setopt_read_function(handle) { buffer, size, count, userdata in
            guard let buffer, let userdata else { return 0 }
            let source = Unmanaged<UploadSource>.fromOpaque(userdata).takeUnretainedValue()
            return source.read(into: buffer, capacity: size * count)
        })
        try check(ccurl_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(upload).toOpaque()))
        try errorBuffer.withUnsafeMutableBufferPointer { buffer throws(MailError) in
            // curl keeps this pointer until cleanup; the array lives in self and is never resized.
            try check(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress))
        }
    }

    func perform() throws(MailError) {
        let rc = withExtendedLifetime(upload) { curl_easy_perform(handle) }
        if rc != CURLE_OK { throw error(rc) }
    }

    private var responseCode: Int {
        var code = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// The one funnel for curl errors: the CURLcode, the detailed error buffer (else
    /// curl_easy_strerror), and the last SMTP reply code.
    private func error(_ rc: CURLcode) -> MailError {
        let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(rc)) : detail
        return MailError(code: Int32(rc.rawValue), message: text, responseCode: responseCode)
    }

    private func check(_ rc: CURLcode) throws(MailError) {
        if rc != CURLE_OK { throw error(rc) }
    }
}

@available(*, unavailable)
extension SMTPTransfer: Sendable {}

/// The message bytes curl pulls through CURLOPT_READFUNCTION.
final class UploadSource {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8] = []) { self.bytes = bytes }

    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let n = min(capacity, bytes.count - offset)
        if n <= 0 { return 0 }
        bytes.withUnsafeBytes { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}
