/// HTTP-date (RFC 9110 §5.6.7): the `Date` header the System Context signature covers, and the
/// date form of `Retry-After`. We send IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) and read all
/// three forms a recipient must accept: IMF-fixdate, the obsolete RFC 850 form
/// (`Sunday, 06-Nov-94 08:49:37 GMT`) and C's asctime form (`Sun Nov  6 08:49:37 1994`).
/// Pure arithmetic on the proleptic Gregorian calendar (no locale, no time zone database).
public enum HTTPDate {
    static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
    static let longWeekdays = ["Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    /// Longer text is no date (the longest form is 30 characters).
    static let maxLength = 64

    public static func format(_ epochSeconds: Int64) -> String {
        let days = floorDiv(epochSeconds, 86400)
        let secs = epochSeconds - days * 86400
        let (y, m, d) = civil(fromDays: days)
        let wd = Int(((days % 7) + 7) % 7)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let weekday = wd < weekdays.count ? weekdays[wd] : "Thu"
        let month = (1...12).contains(m) ? months[Int(m) - 1] : "Jan"
        return "\(weekday), \(two(d)) \(month) \(y) \(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60)) GMT"
    }

    /// Seconds since the epoch of an HTTP-date in any of the three forms; nil for anything else.
    /// `now` (epoch seconds) places the two-digit year of the RFC 850 form: a year that would be
    /// more than 50 years in the future is the latest past year with those digits. Without `now`
    /// the year is 1970-2069.
    public static func parse(_ s: String, now: Int64? = nil) -> Int64? {
        guard s.utf8.count <= maxLength else { return nil }
        let parts = s.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        // IMF-fixdate: "Sun," "06" "Nov" "1994" "08:49:37" "GMT"
        if parts.count == 6, parts[5] == "GMT", parts[0].hasSuffix(","), weekdays.contains(String(parts[0].dropLast())),
           parts[1].utf8.count == 2, let day = digits(parts[1]), parts[3].utf8.count == 4, let year = digits(parts[3]) {
            return seconds(year: year, month: parts[2], day: day, time: parts[4])
        }
        // rfc850-date: "Sunday," "06-Nov-94" "08:49:37" "GMT"
        if parts.count == 4, parts[3] == "GMT", parts[0].hasSuffix(","), longWeekdays.contains(String(parts[0].dropLast())) {
            let dmy = parts[1].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard dmy.count == 3, dmy[0].utf8.count == 2, let day = digits(dmy[0]),
                  dmy[2].utf8.count == 2, let yy = digits(dmy[2]) else { return nil }
            return seconds(year: fullYear(yy, now: now), month: dmy[1], day: day, time: parts[2])
        }
        // asctime-date: "Sun" "Nov" "16" "08:49:37" "1994", or "Sun" "Nov" "" "6" ... (two spaces).
        if parts.count == 5 || parts.count == 6, weekdays.contains(parts[0]) {
            var day: Int64?
            if parts.count == 5, parts[2].utf8.count == 2 {
                day = digits(parts[2])
            } else if parts.count == 6, parts[2].isEmpty, parts[3].utf8.count == 1 {
                day = digits(parts[3])
            }
            let time = parts[parts.count - 2], yearText = parts[parts.count - 1]
            guard let d = day, yearText.utf8.count == 4, let year = digits(yearText) else { return nil }
            return seconds(year: year, month: parts[1], day: d, time: time)
        }
        return nil
    }

    /// A run of ASCII digits (at most 9) as a number; nil for anything else.
    static func digits(_ s: String) -> Int64? {
        guard !s.isEmpty, s.utf8.count <= 9, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(s)
    }

    static func fullYear(_ yy: Int64, now: Int64?) -> Int64 {
        // Years 0001-9999 only: a clock outside them says nothing about the century.
        guard let now = now, (-62_135_596_800...253_402_300_799).contains(now) else { return yy < 70 ? 2000 + yy : 1900 + yy }
        let thisYear = civil(fromDays: floorDiv(now, 86400)).0
        var year = thisYear - thisYear % 100 + yy
        if year > thisYear + 50 { year -= 100 }
        return year
    }

    /// Epoch seconds of a checked day, month name and "hh:mm:ss"; nil when any part is invalid.
    static func seconds(year: Int64, month: String, day: Int64, time: String) -> Int64? {
        guard let monthIndex = months.firstIndex(of: month), (1...31).contains(day) else { return nil }
        let hms = time.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard hms.count == 3, hms.allSatisfy({ $0.utf8.count == 2 }),
              let h = digits(hms[0]), let mi = digits(hms[1]), let sec = digits(hms[2]),
              h < 24, mi < 60, sec < 61 else { return nil }
        let days = daysFromCivil(year, Int64(monthIndex + 1), day)
        return days * 86400 + h * 3600 + mi * 60 + sec
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// Howard Hinnant's civil_from_days.
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719468
        let era = floorDiv(z, 146097)
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// Howard Hinnant's days_from_civil.
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = m > 2 ? m - 3 : m + 9
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
