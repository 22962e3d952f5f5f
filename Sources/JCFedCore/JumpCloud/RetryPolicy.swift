/// When and how long to wait before repeating a JumpCloud request. JumpCloud asks clients to
/// expect 429 and 5xx and to retry with backoff; we retry those and transient transport
/// failures (timeouts, refused or cut connections, a transfer cut short), never 4xx answers.
///
/// Delay of retry n (0-based): `base * 2^n` capped at `maxDelay`, with "equal jitter" (a random
/// point in the upper half), so many devices that failed together do not retry together, and a
/// retry never comes immediately. A `Retry-After` header (seconds or an HTTP date) replaces the
/// computed delay, bounded by `maxRetryAfter` so a hostile or confused server cannot park the
/// sync for hours, plus a random jitter (0 to half the wait, at most `maxRetryAfterJitterMillis`)
/// so devices told the same Retry-After do not come back in one wave.
///
/// `maxRateLimitedAttempts` bounds the attempts that end in 429: a scheduled run (`--scheduled`)
/// gives up after 2 and keeps the installed directory; the next run retries.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseDelayMillis: Int64
    public var maxDelayMillis: Int64
    public var maxRetryAfterSeconds: Int64
    public var maxRetryAfterJitterMillis: Int64
    public var maxRateLimitedAttempts: Int

    /// Attempts on 429 for a scheduled run.
    public static let scheduledRateLimitedAttempts = 2

    public init(maxAttempts: Int = 6, baseDelayMillis: Int64 = 500, maxDelayMillis: Int64 = 30_000,
                maxRetryAfterSeconds: Int64 = 120, maxRetryAfterJitterMillis: Int64 = 30_000,
                maxRateLimitedAttempts: Int = 6) {
        self.maxAttempts = maxAttempts
        self.baseDelayMillis = baseDelayMillis
        self.maxDelayMillis = maxDelayMillis
        self.maxRetryAfterSeconds = maxRetryAfterSeconds
        self.maxRetryAfterJitterMillis = maxRetryAfterJitterMillis
        self.maxRateLimitedAttempts = maxRateLimitedAttempts
    }

    /// The wait before retrying after a Retry-After of `retryAfterMillis`: that wait plus a
    /// random 0...min(max(wait / 2, base), maxRetryAfterJitterMillis), never earlier than asked.
    public func jitteredRetryAfterMillis(_ retryAfterMillis: Int64, random: (Int64) -> Int64) -> Int64 {
        let window = min(max(retryAfterMillis / 2, baseDelayMillis), max(0, maxRetryAfterJitterMillis))
        return max(0, retryAfterMillis) + min(window, max(0, random(window)))
    }

    /// The computed backoff before retry `retry` (0 for the first retry). `random(n)` returns a
    /// value in 0...n.
    public func backoffMillis(retry: Int, random: (Int64) -> Int64) -> Int64 {
        let shift = min(max(retry, 0), 20)
        let full = min(maxDelayMillis, baseDelayMillis << Int64(shift))
        let half = full / 2
        return half + min(half, max(0, random(half)))
    }

    /// The server's Retry-After in milliseconds, bounded by `maxRetryAfterSeconds`; nil when
    /// absent or unreadable (RetryAfter reads both forms).
    public func retryAfterMillis(_ header: String?, now: Int64) -> Int64? {
        RetryAfter.seconds(header, now: now).map { min($0, max(0, maxRetryAfterSeconds)) * 1000 }
    }

    public static func isRetryable(status: Int) -> Bool {
        status == 429 || (500...599).contains(status)
    }

    public static func isRetryable(_ error: TransportError) -> Bool {
        switch error {
        case .tls, .oversize, .redirect, .outOfMemory: return false
        case .dns, .connect, .timeout, .other: return true
        }
    }
}
