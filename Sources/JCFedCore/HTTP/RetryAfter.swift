/// The `Retry-After` header (RFC 9110 §10.2.3), read one way for the identity provider's
/// endpoints and for JumpCloud: delay-seconds (any run of digits) or an HTTP-date in any of its
/// three forms. Each caller caps the wait to what it can use.
public enum RetryAfter {
    /// Delays beyond this are read as this: RFC 9111 §1.2.2's value for delta-seconds that
    /// overflow (about 68 years, far beyond any caller's cap).
    public static let maxSeconds: Int64 = 2_147_483_648

    /// Seconds to wait, counted from `now` (wall-clock seconds since the epoch, for the date form);
    /// a date in the past is 0. nil when the header is absent or neither form.
    public static func seconds(_ header: String?, now: Int64) -> Int64? {
        // Whitespace includes the line end a raw header value may still carry.
        guard let value = header?.trimmingSpaces, !value.isEmpty else { return nil }
        if value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            var n: Int64 = 0
            for c in value.utf8 {
                n = n * 10 + Int64(c - 0x30)
                if n >= maxSeconds { return maxSeconds }
            }
            return n
        }
        guard let date = HTTPDate.parse(value, now: now) else { return nil }
        let (wait, overflow) = date.subtractingReportingOverflow(now)
        if overflow { return now < 0 ? maxSeconds : 0 }
        return min(max(0, wait), maxSeconds)
    }
}
