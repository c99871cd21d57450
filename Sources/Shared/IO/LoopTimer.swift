/// A one-shot timer on an `EventLoop`. Cancel it on the loop thread.
public final class LoopTimer {
    let deadline: UInt64
    fileprivate(set) var work: (() -> Void)?
    fileprivate var sequence: UInt64 = 0

    init(deadline: UInt64, work: @escaping () -> Void) {
        self.deadline = deadline
        self.work = work
    }

    /// Stops the timer from firing; dropping the closure also frees what it captured.
    public func cancel() { work = nil }

    public var isCancelled: Bool { work == nil }
}

/// A binary min-heap of timers ordered by deadline, then by insertion order.
struct TimerHeap {
    private var items: [LoopTimer] = []
    private var counter: UInt64 = 0

    private func less(_ a: LoopTimer, _ b: LoopTimer) -> Bool {
        a.deadline != b.deadline ? a.deadline < b.deadline : a.sequence < b.sequence
    }

    mutating func push(_ timer: LoopTimer) {
        counter += 1
        timer.sequence = counter
        items.append(timer)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(items[i], items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func popFirst() -> LoopTimer {
        let first = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && less(items[l], items[m]) { m = l }
                if r < items.count && less(items[r], items[m]) { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return first
    }

    /// Milliseconds until the next live timer, 0 if one is due, -1 (forever) if none.
    mutating func timeoutMilliseconds(now: UInt64) -> Int32 {
        while let first = items.first, first.isCancelled { _ = popFirst() }
        guard let first = items.first else { return -1 }
        if first.deadline <= now { return 0 }
        return Int32(min(UInt64(Int32.max), (first.deadline - now + 999_999) / 1_000_000))
    }

    mutating func removeAll() {
        for timer in items { timer.cancel() }
        items.removeAll()
    }

    /// The next timer that is due (or cancelled), removed from the heap.
    mutating func popExpired(now: UInt64) -> LoopTimer? {
        guard let first = items.first, first.deadline <= now || first.isCancelled else { return nil }
        return popFirst()
    }
}
