import CLinux
import Glibc

/// Termination signals, handled on a thread of their own with `sigwait`.
public enum Signals {
    /// Blocks SIGTERM and SIGINT in the calling thread (and so in every thread it starts later)
    /// and ignores SIGPIPE. Call it first thing in `main`, before any thread exists.
    public static func blockTermination() {
        signal(SIGPIPE, SIG_IGN)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Starts a thread that waits for SIGTERM or SIGINT and calls `handler` once for each signal,
    /// with the signal's name. `blockTermination()` must have run first.
    public static func onTermination(_ handler: @escaping @Sendable (String) -> Void) {
        _ = OwnedThread(name: "signals") {
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, SIGTERM)
            sigaddset(&set, SIGINT)
            while true {
                var sig: Int32 = 0
                guard sigwait(&set, &sig) == 0 else { continue }
                handler(sig == SIGTERM ? "SIGTERM" : "SIGINT")
            }
        }
    }
}
