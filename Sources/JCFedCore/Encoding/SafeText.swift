/// The one sanitiser for every string that reaches syslog or the person: claims, names someone
/// typed, IdP messages and error fields, URLs from the network.
///
/// An ID token's claims, the PAM user name and an IdP's error body are controlled by someone
/// else, and the strict JSON parser rightly accepts `\n` or `\u0000` inside a string. Unsanitised,
/// such a value could forge or cut a syslog line, rewrite a terminal (escape sequences) or
/// disguise itself (bidi overrides, invisible characters). So every such string goes through here:
///
/// - Unsafe scalars are replaced by `?` (or dropped, for text shown to the person): C0 controls,
///   DEL, C1 controls, bidi controls (U+061C, U+200E/F, U+202A–202E, U+2066–2069), invisible
///   format characters (U+00AD, U+180E, U+200B–200D, U+2060–2064, U+FEFF, U+FFF9–FFFB, tags...),
///   the line and paragraph separators U+2028/2029, and anything whose Unicode general category is
///   control, format, surrogate, private use or unassigned. Tab, CR, LF, VT, FF and NEL become a
///   space (they separate words in an IdP message).
/// - Each value is capped (`valueLimit` scalars, then `…`), and so is each whole line
///   (`lineLimit`).
///
/// The adapters apply it once more at the edge (PAMSyslog for every syslog line, PAMConversation
/// for every message), so a value that slipped past an interpolation is still cleaned there.
public enum SafeText {
    /// Scalars kept of one value (a claim, a name) before it is cut.
    public static let valueLimit = 256
    /// Scalars kept of one syslog line (or one line of a message to the person).
    public static let lineLimit = 2048
    /// What a cut value ends with.
    public static let ellipsis: Unicode.Scalar = "\u{2026}"

    /// One value in a log line or a message: unsafe scalars become `?`, line breaks and tabs a
    /// space, at most `max` scalars (then `…`). nil is `(none)`.
    public static func value(_ s: String?, max: Int = valueLimit) -> String {
        guard let s = s else { return "(none)" }
        return clean(s, max: max, spaces: true, drop: false)
    }

    /// One `key=value` field of a log line (user=, tid=, error=): like `value`, and every kind of
    /// white space becomes `?` too, so a crafted value cannot add a field (`x result=success`).
    public static func field(_ s: String?, max: Int = 64) -> String {
        guard let s = s else { return "(none)" }
        if s.isEmpty { return "(empty)" }
        return clean(s, max: max, spaces: false, drop: false)
    }

    /// A whole syslog line: one line, nothing unsafe, at most `lineLimit` scalars.
    public static func line(_ s: String, max: Int = lineLimit) -> String {
        clean(s, max: max, spaces: true, drop: false)
    }

    /// Text for the person (an IdP message, a display name): unsafe scalars are dropped, line
    /// breaks and tabs become spaces, at most `max` scalars; nil when nothing visible is left.
    public static func forPerson(_ s: String, max: Int) -> String? {
        let text = clean(s, max: max, spaces: true, drop: true)
        return text.unicodeScalars.contains(where: { $0 != " " && $0 != ellipsis }) ? text : nil
    }

    /// A message of several lines for the conversation (our own layout: the QR code block, the
    /// instructions): the line breaks stay, each line is cleaned as `forPerson` (unsafe scalars
    /// dropped, CR and tabs become spaces) and capped at `lineLimit`, at most `maxLines` lines.
    public static func multiline(_ s: String, maxLines: Int = 200) -> String {
        var lines: [String] = []
        for (i, part) in s.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard i < maxLines else { break }
            lines.append(clean(String(part), max: lineLimit, spaces: true, drop: true))
        }
        return lines.joined(separator: "\n")
    }

    /// True for a scalar that must never reach a log line or a terminal as it is.
    public static func isUnsafe(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return true }
        if v < 0xA0 { return false }
        switch v {
        case 0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFFA0, 0xFEFF: return true
        case 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x206F, 0xFFF9...0xFFFB: return true
        case 0xE0000...0xE0FFF: return true  // tags and their reserved neighbours
        default: break
        }
        switch u.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
            return true
        default:
            return false
        }
    }

    /// Characters that separate words and become a plain space in `value`/`forPerson`.
    static func isLineSpace(_ v: UInt32) -> Bool {
        v == 0x09 || v == 0x0A || v == 0x0B || v == 0x0C || v == 0x0D || v == 0x85 || v == 0x2028 || v == 0x2029
    }

    static func clean(_ s: String, max: Int, spaces: Bool, drop: Bool) -> String {
        let limit = Swift.max(1, max)
        // Printable ASCII within the limit comes out as it went in (every scalar is kept), and
        // deciding that needs none of the Unicode property tables: the common case (our own
        // log lines, names, ids), which every login logs, also for users who are not federated.
        if s.utf8.count <= limit, s.utf8.allSatisfy({ ($0 > 0x20 && $0 < 0x7F) || ($0 == 0x20 && spaces) }) {
            return s
        }
        return cleanScalars(s, limit: limit, spaces: spaces, drop: drop)
    }

    /// `clean` scalar by scalar, with the Unicode properties.
    static func cleanScalars(_ s: String, limit: Int, spaces: Bool, drop: Bool) -> String {
        var out = String.UnicodeScalarView()
        var count = 0
        for u in s.unicodeScalars {
            guard count < limit else {
                out.append(ellipsis)
                break
            }
            let v = u.value
            if spaces && isLineSpace(v) {
                out.append(" ")
            } else if isUnsafe(u) || (!spaces && u.properties.isWhitespace) {
                if drop { continue }
                out.append("?")
            } else {
                out.append(u)
            }
            count += 1
        }
        return String(out)
    }
}
