import CLinux
import IO
#if canImport(Glibc)
import Glibc
#endif

/// One listening socket of a `ServerLoop`: accepts every waiting connection and hands it to the loop,
/// or with `spread` to the server, which deals connections out to its loops in turn.
/// Runs on the loop's thread. Out of descriptors, it stops listening for 100 ms instead of spinning
/// on a listener that stays ready.
final class Acceptor: EventHandler {
    private unowned let owner: ServerLoop
    private var listener: FileDescriptor?
    private var token: UInt64 = 0
    private var paused = false
    private let spread: Bool

    init(owner: ServerLoop, listener: consuming FileDescriptor, spread: Bool) throws(SystemError) {
        self.owner = owner
        self.spread = spread
        let fd = listener.rawValue
        self.listener = consume listener
        token = try owner.loop.register(fd, events: EPOLLIN.rawValue, handler: self)
    }

    deinit { listener.take()?.close() }

    func handle(events: UInt32) {
        var peer = ""
        while let fd = listener?.rawValue {
            do {
                guard let socket = try Socket.accept(fd, peer: &peer) else { return }
                if spread { owner.server.adopt(socket, remote: peer) } else { owner.adopt(socket, remote: peer) }
            } catch {
                if error.errno == EMFILE || error.errno == ENFILE || error.errno == ENOBUFS || error.errno == ENOMEM {
                    owner.server.log.warning("accept paused", ["error": error.description])
                    pause()
                    return
                }
                if error.errno == ECONNABORTED || error.errno == EPROTO { continue }
                owner.server.log.error("accept failed", ["error": error.description])
                return
            }
        }
    }

    /// Stops accepting for good.
    func close() {
        if let fd = listener.take() { owner.loop.close(fd, token: token) }
    }

    private func pause() {
        guard !paused, let fd = listener?.rawValue else { return }
        paused = true
        try? owner.loop.modify(fd, token: token, events: 0)
        _ = owner.loop.schedule(after: 0.1) { [self] in
            paused = false
            if let fd = listener?.rawValue { try? owner.loop.modify(fd, token: token, events: EPOLLIN.rawValue) }
        }
    }
}
