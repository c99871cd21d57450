import IO

// The IO module sits below HTTP, so the HTTP-facing protocols are adopted here.
extension EventLoop: LoopExecutor {
    public func after(_ seconds: Double, _ work: @escaping () -> Void) { schedule(after: seconds, work) }
}
extension LoopTimer: TimerHandle {}

/// Carries a loop-confined object through a `@Sendable` closure to its own loop.
///
/// Safety of @unchecked Sendable: `value` is dereferenced only inside `run`, whose body executes on
/// `loop`'s thread, the only thread that ever touches the object.
struct LoopBound<T: AnyObject>: @unchecked Sendable {
    let value: T
    let loop: EventLoop

    init(_ value: T, on loop: EventLoop) {
        self.value = value
        self.loop = loop
    }

    func run(_ body: @escaping @Sendable (T) -> Void) {
        loop.execute { body(value) }
    }
}
