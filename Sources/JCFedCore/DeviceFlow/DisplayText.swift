/// Cleans text that came from the network before it reaches a terminal or a log line.
///
/// The IdP's `message`, the user code and the URL are drawn on the person's terminal through the
/// PAM conversation: an escape sequence in them could rewrite the screen (or a bidi override
/// could disguise the URL), so control characters and direction overrides are removed.
enum DisplayText {
    /// Printable text for the person: C0/C1 controls, DEL and bidi overrides are dropped, line
    /// breaks and tabs become spaces, length is capped. nil when nothing printable is left.
    static func forPerson(_ s: String, maxScalars: Int) -> String? {
        var out = String.UnicodeScalarView()
        var count = 0
        for u in s.unicodeScalars {
            guard count < maxScalars else { break }
            let v = u.value
            if v == 0x0A || v == 0x0D || v == 0x09 {
                out.append(" ")
            } else if v < 0x20 || v == 0x7F || (v >= 0x80 && v < 0xA0) || isDirectionControl(v) {
                continue
            } else {
                out.append(u)
            }
            count += 1
        }
        let text = String(out)
        return text.contains(where: { $0 != " " }) ? text : nil
    }

    /// True for a non-empty string of printable ASCII without spaces, at most `max` bytes:
    /// the shape of user codes, device codes and URLs.
    static func isPrintableToken(_ s: String, max: Int) -> Bool {
        !s.isEmpty && s.utf8.count <= max && s.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// A value from an IdP error body made safe for one syslog field: only letters, digits and
    /// `-_.:`, capped. Anything else becomes `?` so a crafted body cannot forge log lines.
    static func forLog(_ s: String, max: Int = 64) -> String {
        String(s.unicodeScalars.prefix(max).map { u -> Character in
            let v = u.value
            let ok = (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
                || v == 0x2D || v == 0x5F || v == 0x2E || v == 0x3A
            return ok ? Character(u) : "?"
        })
    }

    private static func isDirectionControl(_ v: UInt32) -> Bool {
        (v >= 0x200E && v <= 0x200F) || (v >= 0x202A && v <= 0x202E) || (v >= 0x2066 && v <= 0x2069)
            || v == 0x061C
    }
}
