import Redis
import Runtime

/// One frame to publish: the channel (`room:<id>`, `user:<id>`) and the exact WebSocket frame text.
struct Event: Sendable, Equatable {
    var channel: String
    var payload: String

    static func room(_ id: Int, _ payload: String) -> Event { Event(channel: "room:\(id)", payload: payload) }
    static func user(_ id: Int, _ payload: String) -> Event { Event(channel: "user:\(id)", payload: payload) }
}

/// Publishes events on Redis, always after the transaction that produced them committed.
///
/// Pub/sub delivers at most once, so a failure here is logged and not returned to the client: the
/// data is stored, and clients catch up with `messages?after=` (relay tells them to resync after its
/// own Redis link was down).
struct EventPublisher: Sendable {
    let redis: RedisClient
    let log: Log

    /// Publishes all events in one pipelined round trip, in order.
    func publish(_ events: [Event]) {
        guard !events.isEmpty else { return }
        do {
            let replies = try redis.pipeline(events.map { ["PUBLISH", $0.channel, $0.payload] })
            for case .error(let message) in replies {
                log.error("publish rejected", ["error": message])
            }
        } catch {
            log.error("publish failed", ["events": String(events.count), "error": "\(error)"])
        }
    }

    func publish(_ event: Event) { publish([event]) }
}
