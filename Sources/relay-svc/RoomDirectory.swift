import FoundationEssentials
import HTTP
import Runtime

/// Asks room-svc who a user is and which rooms they are in (`GET /internal/users/{id}/rooms`).
/// Blocking: call it from worker threads only.
struct RoomDirectory: Sendable {
    struct Entry: Sendable {
        /// The user object, as JSON, exactly as the API shows it.
        var userJSON: String
        var rooms: [Int]
    }

    enum Failure: Error {
        case unknownUser
        case unavailable(String)
    }

    private struct UserObject: Codable {
        var id: Int
        var username: String
        var display_name: String
        var bio: String
        var avatar_url: String?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(username, forKey: .username)
            try c.encode(display_name, forKey: .display_name)
            try c.encode(bio, forKey: .bio)
            try c.encode(avatar_url, forKey: .avatar_url)  // null, not absent
        }
    }

    private struct Answer: Decodable {
        var user: UserObject
        var rooms: [Int]
    }

    let client: HTTPClient

    init(_ address: HTTPClient.Target) {
        client = HTTPClient(address, timeout: 5, maxIdle: 16)
    }

    func lookup(user id: Int, requestID: String? = nil) throws(Failure) -> Entry {
        let response: ClientResponse
        do {
            response = try client.request("GET", "/internal/users/\(id)/rooms", headers: requestID.map { [("X-Request-Id", $0)] } ?? [])
        } catch {
            throw .unavailable("\(error)")
        }
        if response.status == 404 { throw .unknownUser }
        guard response.status == 200, let answer = try? JSONDecoder().decode(Answer.self, from: Data(response.body)) else {
            throw .unavailable("room-svc answered \(response.status)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let user = try? encoder.encode(answer.user) else { throw .unavailable("cannot encode the user") }
        return Entry(userJSON: String(decoding: user, as: UTF8.self), rooms: answer.rooms)
    }
}
