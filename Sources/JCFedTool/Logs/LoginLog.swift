#if canImport(Glibc)
import Glibc
#endif
import JCFedAdmin
import JCFedCore

/// The module's login lines in the system log. pam_jcfed logs through pam_syslog (LOG_AUTHPRIV),
/// so each line carries the *program's* tag (sshd[1234], login, sudo) and starts with
/// `pam_jcfed(SERVICE:STAGE): `; a login ends with `auth done: user=U result=R reason=X`, and a
/// successful one is preceded (same process) by `signed in as UPN (tid=... oid=...)`.
struct LoginRecord: Equatable {
    var time: String
    var epoch: Int64?
    var service: String
    var account: String
    var upn: String?
    var result: String
    var reason: String
}

enum LoginLog {
    static let marker = "pam_jcfed("

    /// Records from syslog-format lines (rsyslog's auth.log, either timestamp format, or
    /// `journalctl -o short-iso`), oldest first as given.
    static func parse(_ lines: [String], now: Int64) -> [LoginRecord] {
        var upnByProcess: [String: String] = [:]
        var records: [LoginRecord] = []
        for line in lines {
            guard let m = line.firstRange(of: marker) else { continue }
            let head = String(line[..<m.lowerBound])
            let rest = line[m.upperBound...]
            guard let close = rest.firstRange(of: "): ") else { continue }
            let tag = rest[..<close.lowerBound].split(separator: ":", maxSplits: 1).map(String.init)
            guard tag.count == 2 else { continue }
            let message = String(rest[close.upperBound...])
            let process = processKey(head)
            if message.hasPrefix("signed in as ") {
                var upn = message.dropFirst("signed in as ".count)
                if let p = upn.firstRange(of: " (tid=") { upn = upn[..<p.lowerBound] }
                upnByProcess[process] = String(upn)
                continue
            }
            // "auth done: ..." (the closing line of a login); "account done" would list it twice.
            guard tag[1] == "auth", let done = message.firstRange(of: "done: ") else { continue }
            let fields = keyValues(String(message[done.upperBound...]))
            let (time, epoch) = timestamp(head, now: now)
            let account = fields["user"] ?? "-"
            let upn = fields["result"] == "success" ? upnByProcess[process] : nil
            upnByProcess[process] = nil
            records.append(LoginRecord(time: time, epoch: epoch, service: tag[0], account: account, upn: upn,
                                       result: fields["result"] ?? "-", reason: fields["reason"] ?? "-"))
        }
        return records
    }

    /// "sshd[1234]" of the line's prefix: the process that logged it.
    static func processKey(_ head: String) -> String {
        let words = head.split(separator: " ")
        return words.last(where: { $0.hasSuffix("]:") }).map(String.init) ?? (words.last.map(String.init) ?? "")
    }

    static func keyValues(_ s: String) -> [String: String] {
        var out: [String: String] = [:]
        for word in s.split(separator: " ") {
            guard let eq = word.firstIndex(of: "=") else { continue }
            out[String(word[..<eq])] = String(word[word.index(after: eq)...])
        }
        return out
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The line's time as shown (YYYY-MM-DD HH:MM:SS, local time) and in seconds since the epoch.
    static func timestamp(_ head: String, now: Int64) -> (String, Int64?) {
        let words = head.split(separator: " ").map(String.init)
        guard let first = words.first else { return ("-", nil) }
        if let epoch = parseISO(first) { return (format(epoch), epoch) }
        // Traditional "Dec  3 10:30:02": local time, no year (the most recent such date).
        if words.count >= 3, let month = months.firstIndex(of: first), let day = Int(words[1]) {
            let hms = words[2].split(separator: ":").compactMap { Int($0) }
            if hms.count == 3 {
                var year = Int32(localTime(now).tm_year)
                for _ in 0..<2 {
                    var tm = tm()
                    tm.tm_year = year; tm.tm_mon = Int32(month); tm.tm_mday = Int32(day)
                    tm.tm_hour = Int32(hms[0]); tm.tm_min = Int32(hms[1]); tm.tm_sec = Int32(hms[2]); tm.tm_isdst = -1
                    let t = Int64(mktime(&tm))
                    if t <= now + 86400 { return (format(t), t) }
                    year -= 1
                }
            }
            return (words.prefix(hms.count == 3 ? 3 : 2).joined(separator: " "), nil)
        }
        return (first, nil)
    }

    /// RFC 3339 / ISO 8601: 2026-12-03T10:30:02[.123456](Z|+00:00|+0000).
    static func parseISO(_ s: String) -> Int64? {
        let u = Array(s.utf8)
        guard u.count >= 19, u[4] == 0x2d, u[7] == 0x2d, u[10] == 0x54 || u[10] == 0x20, u[13] == 0x3a, u[16] == 0x3a else { return nil }
        func num(_ a: Int, _ b: Int) -> Int? { Int(String(decoding: u[a..<b], as: UTF8.self)) }
        guard let y = num(0, 4), let mo = num(5, 7), let d = num(8, 10), let h = num(11, 13), let mi = num(14, 16), let se = num(17, 19),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 61 else { return nil }
        var i = 19
        if i < u.count && u[i] == 0x2e { i += 1; while i < u.count && u[i] >= 0x30 && u[i] <= 0x39 { i += 1 } }
        var offset = 0
        var local = true
        if i < u.count {
            if u[i] == 0x5a { local = false } else if u[i] == 0x2b || u[i] == 0x2d {
                let digits = u[(i + 1)...].filter { $0 != 0x3a }
                guard digits.count == 4, let oh = Int(String(decoding: digits.prefix(2), as: UTF8.self)),
                      let om = Int(String(decoding: digits.suffix(2), as: UTF8.self)) else { return nil }
                offset = (oh * 3600 + om * 60) * (u[i] == 0x2d ? -1 : 1)
                local = false
            } else { return nil }
        }
        var tm = tm()
        tm.tm_year = Int32(y - 1900); tm.tm_mon = Int32(mo - 1); tm.tm_mday = Int32(d)
        tm.tm_hour = Int32(h); tm.tm_min = Int32(mi); tm.tm_sec = Int32(se); tm.tm_isdst = -1
        if local { return Int64(mktime(&tm)) }
        return Int64(timegm(&tm)) - Int64(offset)
    }

    static func localTime(_ t: Int64) -> tm {
        var time = time_t(t)
        var out = tm()
        localtime_r(&time, &out)
        return out
    }

    static func format(_ t: Int64) -> String {
        var tm = localTime(t)
        var buffer = [CChar](repeating: 0, count: 32)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S", &tm)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `--since`: an age (30m, 2h, 7d, 90s) or a local date and time (2026-12-03, 2026-12-03 10:30,
    /// 2026-12-03T10:30:00); nil when it is neither.
    static func parseSince(_ s: String, now: Int64) -> Int64? {
        let t = s.trimmingSpaces()
        if let unit = t.last, let n = Int64(t.dropLast()), n >= 0 {
            switch unit {
            case "s": return now - n
            case "m": return now - n * 60
            case "h": return now - n * 3600
            case "d": return now - n * 86400
            default: break
            }
        }
        var full = t
        if full.count == 10 { full += "T00:00:00" }
        if full.count == 16 { full += ":00" }
        guard full.count == 19 else { return nil }
        return parseISO(full)
    }
}

extension LoginLog {
    /// 2026-12-03T10:30:02Z.
    static func isoUTC(_ t: Int64) -> String {
        var time = time_t(t)
        var tm = tm()
        gmtime_r(&time, &tm)
        var buffer = [CChar](repeating: 0, count: 32)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &tm)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
