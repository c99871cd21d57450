import Redis
import Synchronization

/// The process's one Redis subscriber connection, shared by every socket: a channel stays subscribed
/// while any loop's hub needs it. Counts are per hub (a hub retains a channel once, however many of
/// its sockets follow it).
final class Subscriptions: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    private let subscriber: RedisSubscriber

    init(subscriber: RedisSubscriber) {
        self.subscriber = subscriber
    }

    func retain(_ channels: [String]) {
        // The subscriber is told under the lock, so a retain and a release of one channel on two
        // loops reach it in the order their counts changed.
        counts.withLock { counts in
            let new = channels.filter { channel in
                counts[channel, default: 0] += 1
                return counts[channel] == 1
            }
            if !new.isEmpty { subscriber.subscribe(new) }
        }
    }

    func release(_ channels: [String]) {
        counts.withLock { counts in
            let gone = channels.filter { channel in
                guard let n = counts[channel] else { return false }
                counts[channel] = n > 1 ? n - 1 : nil
                return n == 1
            }
            if !gone.isEmpty { subscriber.unsubscribe(gone) }
        }
    }

    /// Channels the process follows for its own sake (presence, key expiry), never released.
    func pin(_ channels: [String]) { subscriber.subscribe(channels) }

    var channelCount: Int { counts.withLock { $0.count } }
}
