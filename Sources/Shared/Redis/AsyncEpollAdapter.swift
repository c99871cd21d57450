import CHiredis
import CLinux
import Glibc

/// Connects one `redisAsyncContext` to an epoll set: hiredis calls the five `ev` hooks to say
/// when it wants to read or write, and the adapter keeps the epoll registration in step.
/// Lives only on the subscriber thread. hiredis holds the retained reference in `ev.data` and
/// drops it through the `cleanup` hook when the context is freed.
final class AsyncEpollAdapter {
    static let token: UInt64 = 1

    private let epfd: Int32
    private let fd: Int32
    private var reading = false
    private var writing = false
    /// The events epoll watches for now; 0 when the descriptor is not registered.
    private var registered: UInt32 = 0

    private init(epfd: Int32, fd: Int32) {
        self.epfd = epfd
        self.fd = fd
    }

    static func attach(_ ac: UnsafeMutablePointer<redisAsyncContext>, epfd: Int32) {
        let adapter = AsyncEpollAdapter(epfd: epfd, fd: ac.pointee.c.fd)
        ac.pointee.ev.data = Unmanaged.passRetained(adapter).toOpaque()
        ac.pointee.ev.addRead = { p in AsyncEpollAdapter.from(p).set(reading: true) }
        ac.pointee.ev.delRead = { p in AsyncEpollAdapter.from(p).set(reading: false) }
        ac.pointee.ev.addWrite = { p in AsyncEpollAdapter.from(p).set(writing: true) }
        ac.pointee.ev.delWrite = { p in AsyncEpollAdapter.from(p).set(writing: false) }
        ac.pointee.ev.cleanup = { p in
            AsyncEpollAdapter.from(p).set(reading: false, writing: false)
            Unmanaged<AsyncEpollAdapter>.fromOpaque(p!).release()
        }
    }

    private static func from(_ p: UnsafeMutableRawPointer?) -> AsyncEpollAdapter {
        Unmanaged<AsyncEpollAdapter>.fromOpaque(p!).takeUnretainedValue()
    }

    private func set(reading: Bool? = nil, writing: Bool? = nil) {
        if let reading { self.reading = reading }
        if let writing { self.writing = writing }
        let events = (self.reading ? EPOLLIN.rawValue : 0) | (self.writing ? EPOLLOUT.rawValue : 0)
        // hiredis asks to read again after every reply it reads: no system call when nothing changed.
        guard events != registered else { return }
        var ev = clinux_epoll_event(events, AsyncEpollAdapter.token)
        epoll_ctl(epfd, events == 0 ? EPOLL_CTL_DEL : registered == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev)
        registered = events
    }
}

@available(*, unavailable)
extension AsyncEpollAdapter: Sendable {}
