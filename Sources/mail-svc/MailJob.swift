import FoundationEssentials

/// One queued mail, as auth-svc pushes it onto `mail:queue` (JSON). The worker adds `attempts`
/// and `last_error` when it schedules a retry or gives up.
struct MailJob: Codable, Sendable, Equatable {
    var id: String
    var kind: String
    var to: String
    var username: String?
    var token: String?
    var attempts: Int?
    var lastError: String?

    enum CodingKeys: String, CodingKey {
        case id, kind, to, username, token, attempts
        case lastError = "last_error"
    }

    static func decode(_ bytes: [UInt8]) -> MailJob? {
        try? JSONDecoder().decode(MailJob.self, from: Data(bytes))
    }

    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data())
    }

    /// The job id reduced to characters that are safe in a file name and a log line.
    var safeID: String {
        let cleaned = String(id.unicodeScalars.filter { $0.isASCIIAlphanumeric || $0 == "-" || $0 == "_" }.prefix(64))
        return cleaned.isEmpty ? "job" : cleaned
    }
}
