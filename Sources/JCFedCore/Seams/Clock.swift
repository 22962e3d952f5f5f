/// Time as the core sees it. Wall time (seconds since the epoch) is for token lifetimes;
/// monotonic milliseconds are for deadlines and poll spacing, which must not jump with NTP.
public protocol Clock: AnyObject {
    /// Seconds since 1970-01-01 UTC.
    func wallSeconds() -> Int64
    /// Milliseconds on a monotonic clock with an arbitrary origin.
    func monotonicMillis() -> Int64
    /// Sleeps; the only blocking wait the module does besides I/O.
    func sleep(millis: Int64)
}

/// A clock for tests: time moves only when the code sleeps or the test advances it.
public final class FixedClock: Clock {
    public var wall: Int64
    public var mono: Int64
    public private(set) var sleeps: [Int64] = []

    public init(wall: Int64 = 1_700_000_000, mono: Int64 = 0) {
        self.wall = wall
        self.mono = mono
    }

    public func wallSeconds() -> Int64 { wall }
    public func monotonicMillis() -> Int64 { mono }
    public func sleep(millis: Int64) {
        sleeps.append(millis)
        advance(millis: millis)
    }
    public func advance(millis: Int64) {
        mono += millis
        wall = (wall * 1000 + millis) / 1000
    }
}
