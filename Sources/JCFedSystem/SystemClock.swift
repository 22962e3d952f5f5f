import Glibc
import JCFedCore

/// The real clock: CLOCK_REALTIME for token lifetimes, CLOCK_MONOTONIC for deadlines.
public final class SystemClock: Clock {
    public init() {}

    public func wallSeconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec)
    }

    public func monotonicMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    public func sleep(millis: Int64) {
        guard millis > 0 else { return }
        var req = timespec(tv_sec: Int(millis / 1000), tv_nsec: Int(millis % 1000) * 1_000_000)
        var rem = timespec()
        // Resume after signals until the full time has passed.
        while nanosleep(&req, &rem) != 0 && errno == EINTR { req = rem }
    }
}
