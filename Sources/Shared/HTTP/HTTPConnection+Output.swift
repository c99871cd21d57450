import CLinux
import IO
import Runtime
#if canImport(Glibc)
import Glibc
#endif

/// A queued piece of output: bytes of our own, or a buffer shared with other connections.
enum Outbound {
    case owned([UInt8])
    case shared(SharedBytes)

    var count: Int {
        switch self {
        case .owned(let b): b.count
        case .shared(let s): s.count
        }
    }

    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        switch self {
        case .owned(let b): b.withUnsafeBytes(body)
        case .shared(let s): s.bytes.withUnsafeBytes(body)
        }
    }
}

extension HTTPConnection {
    /// The most buffers handed to one writev(2).
    static let maxIOVecs = 64

    /// Queues a shared buffer after everything queued so far, without copying it.
    func enqueue(_ buffer: SharedBytes) {
        guard buffer.count > 0 else { return }
        if !tail.isEmpty {
            queue.append(.owned(tail))
            tail = []
        }
        queue.append(.shared(buffer))
        outboundBytes += buffer.count
    }

    /// Writes as much as the socket takes; the rest waits for EPOLLOUT.
    func flush() {
        guard phase != .closed else { return }
        while outboundBytes > 0 {
            let written: Int?
            do {
                written = try queue.isEmpty ? writeTail() : writeQueued()
            } catch {
                abort()  // EPIPE, ECONNRESET: the peer is gone
                return
            }
            guard let n = written, n > 0 else {
                if writeDeadline == 0 { writeDeadline = monotonicNanoseconds() &+ UInt64(owner.limits.writeTimeout * 1e9) }
                updateInterest()
                return
            }
            consume(n)
            writeDeadline = 0
        }
        writeDeadline = 0
        outputDrained()
    }

    private func writeTail() throws(SystemError) -> Int? {
        let fd = self.fd
        let result = tail.withUnsafeBytes { buf in
            Result { () throws(SystemError) -> Int? in
                try sys("send") { send(fd, buf.baseAddress, buf.count, Int32(MSG_NOSIGNAL)) }
            }
        }
        return try result.get()
    }

    /// Gathers up to `maxIOVecs` buffers; each is pinned by a nested `withUnsafeBytes`, so every
    /// pointer stays valid for the writev call.
    private func writeQueued() throws(SystemError) -> Int? {
        var iovecs: [iovec] = []
        iovecs.reserveCapacity(min(HTTPConnection.maxIOVecs, queue.count + 1))
        var pieces = queue.prefix(HTTPConnection.maxIOVecs - 1).map { $0 }
        if pieces.count < HTTPConnection.maxIOVecs - 1 && !tail.isEmpty { pieces.append(.owned(tail)) }
        let fd = self.fd
        let firstOffset = queueOffset
        var result: Result<Int?, SystemError> = .success(nil)
        func gather(_ index: Int) {
            if index == pieces.count {
                result = Result { () throws(SystemError) -> Int? in
                    try sys("writev") { writev(fd, iovecs, Int32(iovecs.count)) }
                }
                return
            }
            pieces[index].withBytes { buf in
                let skip = index == 0 ? firstOffset : 0
                iovecs.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: buf.baseAddress! + skip),
                                    iov_len: buf.count - skip))
                gather(index + 1)
            }
        }
        gather(0)
        return try result.get()
    }

    /// Drops `n` written bytes from the front of the queue (then the tail).
    private func consume(_ n: Int) {
        outboundBytes -= n
        var left = n
        while left > 0, !queue.isEmpty {
            let available = queue[0].count - queueOffset
            if left >= available {
                left -= available
                queue.removeFirst()
                queueOffset = 0
            } else {
                queueOffset += left
                left = 0
            }
        }
        if left > 0 {
            if left == tail.count {
                tail.removeAll(keepingCapacity: tail.capacity <= 64 * 1024)
            } else {
                // A partial write of the tail: keep the rest as a queued piece.
                queue.append(.owned(Array(tail[left...])))
                tail.removeAll(keepingCapacity: true)
            }
        }
    }

    private func outputDrained() {
        switch phase {
        case .closing:
            // Everything we meant to say is out: the connection ends here.
            finishClosing()
        case .reading:
            if peerClosed && pending.isEmpty && head == nil {
                abort()
            } else if pausedForOutput {
                pausedForOutput = false
                resumeReading()
            } else {
                updateInterest()
            }
        case .upgraded:
            if closeWhenDrained { finishClosing() } else { updateInterest() }
        default:
            updateInterest()
        }
    }
}
