import FoundationEssentials
import HTTP
import Redis
import Runtime
import Synchronization
import WebSocket

/// relay-svc: one WebSocket per browser tab, fed from Redis pub/sub (API.md "Real time").
///
/// The process holds one subscriber connection. Each event is decoded and encoded into one frame once,
/// on the subscriber thread, then handed to each event loop's `LocalHub`, which writes the same bytes
/// to every local socket that follows the room. The relay keeps no database: room-svc tells it a
/// user's rooms when a socket opens, and `room` / `room_left` events keep that current.
final class Relay: Sendable {
    let config: RelayConfig
    let log: Log
    let redis: RedisClient
    private let directory: RoomDirectory
    private let publisher: Publisher
    private let presence: PresenceTracker
    private let hubs = Mutex<(byLoop: [ObjectIdentifier: LocalHub], all: [LocalHub])>(([:], []))
    private let subscriber: RedisSubscriber
    private let subscriptions: Subscriptions
    private let expiryChannel: String

    init(config: RelayConfig, log: Log) {
        self.config = config
        self.log = log
        redis = RedisClient(url: config.redis, poolSize: 4)
        directory = RoomDirectory(config.roomService)
        publisher = Publisher(redis: redis, log: log)
        presence = PresenceTracker(redis: redis, publisher: publisher, directory: directory, log: log,
                                   instance: config.instance, ttl: config.presenceTTL, debounce: config.offlineDebounce)
        expiryChannel = PresenceTracker.expiryChannel(database: config.redis.database)
        // The callbacks need `self`, which exists only after every property is set: route them
        // through a box filled in below.
        let box = Mutex<Relay?>(nil)
        subscriber = RedisSubscriber(
            url: config.redis, log: log,
            onMessage: { channel, payload in box.withLock { $0 }?.received(channel: channel, payload: payload) },
            onLinkRestored: { box.withLock { $0 }?.linkRestored() })
        subscriptions = Subscriptions(subscriber: subscriber)
        box.withLock { $0 = self }
    }

    func start() {
        subscriptions.pin([Envelope.presenceChannel, expiryChannel])
        subscriber.start()
        presence.start()
    }

    /// After the server stopped (sockets closed): stop the background work.
    func stop() {
        presence.stop()
        subscriber.stop()
        redis.close()
    }

    var routes: Router {
        var r = Router()
        r.get("/healthz") { [self] _ in health() }
        r.get("/ws") { [self] req in try upgrade(req) }
        return r
    }

    /// 200 when Redis answers and the subscriber link is up.
    func health() -> Response {
        let redisOK = redis.ping()
        let subscribed = subscriber.isConnected
        guard redisOK && subscribed else {
            log.warning("health check failed", ["redis": String(redisOK), "subscriber": String(subscribed)])
            return .error(.unavailable)
        }
        return .text("ok")
    }

    // MARK: Sockets

    /// `GET /ws`: 401 without the identity nginx's auth_request sets, 403 for a foreign origin, then
    /// the user's rooms from room-svc and the 101.
    func upgrade(_ req: Request) throws -> Response {
        let me = try req.authenticatedUser()
        let key = try Handshake.validate(req, allowedOrigins: [config.publicOrigin])
        let entry: RoomDirectory.Entry
        do {
            entry = try directory.lookup(user: me.id, requestID: req.requestID)
        } catch .unknownUser {
            throw HTTPError.unauthorized
        } catch {
            req.log.error("room-svc lookup failed", ["error": "\(error)"])
            throw HTTPError.unavailable
        }
        let log = req.log
        let session = req.headers["X-Session-Id"].flatMap { Int($0) }
        return Handshake.switchingProtocols(acceptKey: Handshake.makeAcceptKey(for: key)) { [self] in
            makeSocket(user: me.id, session: session, entry: entry, log: log)
        }
    }

    /// On the connection's loop thread, once the 101 is written.
    private func makeSocket(user: Int, session: Int?, entry: RoomDirectory.Entry, log: Log) -> WebSocketConnection {
        let configuration = WebSocketConfiguration(pingInterval: config.pingInterval, idleTimeout: config.idleTimeout)
        let socket = WebSocketConnection(configuration: configuration, log: log)
        let client = Client(userID: user, sessionID: session, userJSON: entry.userJSON, rooms: Set(entry.rooms), socket: socket)
        socket.onOpen = { [self] socket in
            guard let executor = socket.executor else { return }
            let hub = hub(for: executor)
            hub.add(client)
            socket.send(text: Frames.hello(userJSON: client.userJSON, rooms: client.rooms.sorted()))
            presence.connected(user: user, rooms: Array(client.rooms))
            socket.onClose = { [self] _, _ in
                hub.remove(client)
                presence.disconnected(user: user, rooms: Array(client.rooms))
            }
        }
        socket.onText = { [self] socket, text in received(text: text, from: client) }
        return socket
    }

    private func hub(for executor: any LoopExecutor) -> LocalHub {
        hubs.withLock { hubs in
            if let hub = hubs.byLoop[ObjectIdentifier(executor)] { return hub }
            let hub = LocalHub(executor: executor, subscriptions: subscriptions, batchWindow: config.batchWindow)
            hubs.byLoop[ObjectIdentifier(executor)] = hub
            hubs.all.append(hub)
            return hub
        }
    }

    private struct ClientFrame: Decodable {
        var type: String
        var room_id: Int?
    }

    /// Client → server: `{"type":"ping"}`, `{"type":"typing","room_id"}`; anything else gets an error
    /// frame and the socket stays open.
    private func received(text: String, from client: Client) {
        guard let frame = try? JSONDecoder().decode(ClientFrame.self, from: Data(text.utf8)) else {
            client.socket.send(shared: Frames.error("bad_frame", "A frame is a JSON object with a \"type\"."))
            return
        }
        switch frame.type {
        case "ping":
            client.socket.send(shared: Frames.pong)
        case "typing":
            guard let room = frame.room_id else {
                client.socket.send(shared: Frames.error("bad_frame", "A typing frame needs a room_id."))
                return
            }
            // Rooms the caller is not in are ignored, as if the frame never came.
            guard client.rooms.contains(room), client.mayPublishTyping(in: room, interval: config.typingInterval) else { return }
            publisher.publish(Envelope.roomChannel(room),
                              Envelope.exceptUser(client.userID, Frames.typing(room: room, userJSON: client.userJSON)))
        default:
            client.socket.send(shared: Frames.error("unknown_type", "Unknown frame type."))
        }
    }

    // MARK: Redis (the subscriber thread)

    private func received(channel: String, payload: [UInt8]) {
        if channel == expiryChannel {
            presence.expired(key: String(decoding: payload, as: UTF8.self))
            return
        }
        guard let envelope = Envelope(channel: channel, payload: payload) else {
            log.warning("unreadable event", ["channel": channel, "bytes": String(payload.count)])
            return
        }
        let delivery = LocalHub.Delivery(envelope: envelope, frame: SharedBytes(FrameEncoder.encode(.text, envelope.frame)))
        for hub in hubs.withLock({ $0.all }) { hub.post(delivery) }
    }

    /// The link was down: events may be lost, so every socket is told to catch up.
    private func linkRestored() {
        log.warning("redis link restored; sending resync")
        presence.linkRestored()
        for hub in hubs.withLock({ $0.all }) {
            hub.executor.execute { hub.broadcast(Frames.resync) }
        }
    }
}
