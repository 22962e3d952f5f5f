import Testing
@testable import JCFedCore

/// HTTP-date and Retry-After (RFC 9110 §5.6.7, §10.2.3): the one reader the identity provider
/// replies and the JumpCloud sync share.
@Suite struct RetryAfterTests {
    /// Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's example.
    static let example: Int64 = 784_111_777

    @Test func formatsIMFFixdate() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(HTTPDate.format(1_700_000_000) == "Tue, 14 Nov 2023 22:13:20 GMT")
        for t: Int64 in [0, 784_111_777, 951_782_400, 1_700_000_000, 4_102_444_799] {
            #expect(HTTPDate.parse(HTTPDate.format(t)) == t)
        }
    }

    /// The three forms a recipient must accept, all naming the same second.
    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT",   // IMF-fixdate
        "Sunday, 06-Nov-94 08:49:37 GMT",  // obsolete RFC 850
        "Sun Nov  6 08:49:37 1994",        // asctime, one-digit day after two spaces
    ])
    func readsTheThreeForms(date: String) {
        #expect(HTTPDate.parse(date) == Self.example)
        #expect(HTTPDate.parse(date, now: 1_700_000_000) == Self.example)
    }

    @Test func asctimeWithATwoDigitDay() {
        #expect(HTTPDate.parse("Wed Nov 16 08:49:37 1994") == Self.example + 10 * 86_400)
    }

    /// RFC 850's two-digit year: more than 50 years ahead of now means the century before.
    @Test func twoDigitYearsFollowTheClock() {
        let in2023: Int64 = 1_700_000_000
        #expect(HTTPDate.parse("Monday, 06-Nov-73 08:49:37 GMT", now: in2023) == HTTPDate.parse("Tue, 06 Nov 2073 08:49:37 GMT"))
        #expect(HTTPDate.parse("Thursday, 06-Nov-75 08:49:37 GMT", now: in2023) == HTTPDate.parse("Thu, 06 Nov 1975 08:49:37 GMT"))
        // A clock outside years 1-9999 gives no century: the fixed 1970-2069 window.
        #expect(HTTPDate.parse("Thursday, 06-Nov-75 08:49:37 GMT", now: Int64.max) == HTTPDate.parse("Thu, 06 Nov 1975 08:49:37 GMT"))
    }

    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 UTC",    // not GMT
        "sun, 06 Nov 1994 08:49:37 GMT",    // case-sensitive
        "Sun, 6 Nov 1994 08:49:37 GMT",     // one-digit day in IMF-fixdate
        "Sun, 06 Nov 94 08:49:37 GMT",      // two-digit year in IMF-fixdate
        "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nox 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT ",   // trailing space (callers trim)
        "Sun,  06 Nov 1994 08:49:37 GMT",
        "Sun, +6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov -994 08:49:37 GMT",
        "Sunday, 06-Nov-1994 08:49:37 GMT", // four-digit year in RFC 850
        "Sun, 06-Nov-94 08:49:37 GMT",      // short weekday in RFC 850
        "Sun Nov 6 08:49:37 1994",          // one space before a one-digit day in asctime
        "Sun Nov   6 08:49:37 1994",
        "Sun Nov  6 08:49:37 94",
        "Sun Nov  6 08:49:37 1994 GMT",
        "",
        "GMT",
    ])
    func refusesWhatIsNoHTTPDate(text: String) {
        #expect(HTTPDate.parse(text) == nil, "\(text)")
    }

    @Test func longTextIsNoDate() {
        #expect(HTTPDate.parse(String(repeating: "Sun, ", count: 10_000)) == nil)
    }

    // MARK: Retry-After

    @Test(arguments: [
        ("0", Optional<Int64>(0)),
        ("120", 120),
        ("  7\r\n", 7),
        ("\t7 ", 7),
        ("007", 7),
        ("2147483647", 2_147_483_647),
        // Huge delays are read as RFC 9111's overflow value, never trap or wrap.
        ("2147483648", RetryAfter.maxSeconds),
        ("9223372036854775807", RetryAfter.maxSeconds),
        ("99999999999999999999999999999999999999", RetryAfter.maxSeconds),
        // Dates count from now; the past is 0.
        ("Sun, 06 Nov 1994 08:49:40 GMT", 3),
        ("Sunday, 06-Nov-94 08:50:37 GMT", 60),
        ("Sun Nov  6 09:49:37 1994", 3600),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 0),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
        ("Fri, 31 Dec 9999 23:59:59 GMT", RetryAfter.maxSeconds),
        // Garbage.
        ("-1", nil), ("+5", nil), ("1.5", nil), ("1e3", nil), ("0x10", nil), ("5 s", nil), ("7\r\n8", nil),
        ("soon", nil), ("", nil), ("   ", nil), ("\u{0661}", nil),
    ])
    func retryAfter(header: String, seconds: Int64?) {
        #expect(RetryAfter.seconds(header, now: Self.example) == seconds, "\(header.debugDescription)")
    }

    @Test func absentOrAtTheEdgesOfTheClock() {
        #expect(RetryAfter.seconds(nil, now: 0) == nil)
        // A clock at either end of Int64 neither traps nor wraps.
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:40 GMT", now: Int64.min) == RetryAfter.maxSeconds)
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:40 GMT", now: Int64.max) == 0)
        #expect(RetryAfter.seconds("Sunday, 06-Nov-94 08:49:40 GMT", now: Int64.min) == RetryAfter.maxSeconds)
    }
}
