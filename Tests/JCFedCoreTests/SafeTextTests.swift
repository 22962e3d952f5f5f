import Testing
@testable import JCFedCore

/// SafeText: the one sanitiser for what reaches syslog or the person.
@Suite struct SafeTextTests {
    static let bidi: [UInt32] = [0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
                                 0x2066, 0x2067, 0x2068, 0x2069]
    static let invisible: [UInt32] = [0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064,
                                      0xFEFF, 0xFFF9, 0xFFFA, 0xFFFB, 0x180E, 0xE0001, 0xE0041, 0xE007F, 0xE000, 0x10FFFD]
    static let controls: [UInt32] = Array(0x00...0x1F) + [0x7F] + Array(0x80...0x9F)

    static func scalar(_ v: UInt32) -> String { String(Unicode.Scalar(v).map(Character.init) ?? "?") }

    static func isClean(_ s: String) -> Bool { !s.unicodeScalars.contains { SafeText.isUnsafe($0) } }

    @Test func everyControlBidiAndInvisibleCharacterIsUnsafe() {
        for v in Self.controls + Self.bidi + Self.invisible + [0x2028, 0x2029] {
            guard let u = Unicode.Scalar(v) else { continue }
            #expect(SafeText.isUnsafe(u), "U+\(String(v, radix: 16))")
        }
        for s in ["a", "Z", " ", "~", "é", "ü", "日", "\u{2588}", "\u{2580}", "\u{2584}", "\u{2026}", "@", "\u{00A0}"] {
            #expect(s.unicodeScalars.allSatisfy { !SafeText.isUnsafe($0) }, "\(s)")
        }
    }

    @Test func ordinaryValuesAreUnchanged() {
        for s in ["alice@contoso.com", "Alice Müller", "山田 太郎", "https://login.example.com/x?y=1", "0a1b-2c3d"] {
            #expect(SafeText.value(s) == s)
            #expect(SafeText.line(s) == s)
            #expect(SafeText.forPerson(s, max: 256) == s)
        }
        #expect(SafeText.field("authorization_pending") == "authorization_pending")
        #expect(SafeText.value(nil) == "(none)")
    }

    @Test func lineBreaksCannotForgeALine() {
        let forged = "alice@contoso.com\nSYSLOG 6 pam_jcfed(sshd:auth): auth done: user=root result=success\r\u{85}\u{2028}x"
        let v = SafeText.value(forged)
        #expect(!v.contains("\n") && !v.contains("\r"))
        #expect(Self.isClean(v))
        #expect(v.hasPrefix("alice@contoso.com SYSLOG 6"))
        #expect(Self.isClean(SafeText.line(forged)) && !SafeText.line(forged).contains("\n"))
    }

    @Test func nulCannotCutTheLine() {
        let v = SafeText.value("alice\u{0}@contoso.com reason=after-nul")
        #expect(v == "alice?@contoso.com reason=after-nul")
        #expect(!v.utf8.contains(0))
    }

    @Test func controlsBecomeAVisibleMark() {
        for v in Self.controls + Self.bidi + Self.invisible where ![0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85].contains(v) {
            let s = "a" + Self.scalar(v) + "b"
            #expect(SafeText.value(s) == "a?b", "U+\(String(v, radix: 16))")
            #expect(SafeText.forPerson(s, max: 10) == "ab", "U+\(String(v, radix: 16))")
        }
        // An escape sequence loses its ESC; a bidi override cannot reverse the address.
        #expect(SafeText.value("\u{1B}[2J\u{1B}]0;owned\u{07}") == "?[2J?]0;owned?")
        #expect(SafeText.value("evil\u{202E}moc.osotnoc@alice") == "evil?moc.osotnoc@alice")
    }

    @Test func valuesAreCappedWithAnEllipsis() {
        let big = String(repeating: "x", count: 10_240)
        let v = SafeText.value(big)
        #expect(v.unicodeScalars.count == SafeText.valueLimit + 1)
        #expect(v.unicodeScalars.last == SafeText.ellipsis)
        #expect(SafeText.value(String(repeating: "x", count: SafeText.valueLimit)).unicodeScalars.last == "x")
        #expect(SafeText.line(big + big).unicodeScalars.count == SafeText.lineLimit + 1)
        #expect(SafeText.field(big).unicodeScalars.count == 65)
        // Combining marks count one by one, so a "zalgo" value is capped too.
        #expect(SafeText.value("a" + String(repeating: "\u{301}", count: 5000)).unicodeScalars.count == SafeText.valueLimit + 1)
    }

    @Test func fieldsCannotAddAField() {
        #expect(SafeText.field("x result=success") == "x?result=success")
        #expect(SafeText.field("x\u{3000}result=success\tz") == "x?result=success?z")
        #expect(SafeText.field("") == "(empty)")
    }

    @Test func personTextWithNothingVisibleIsNil() {
        #expect(SafeText.forPerson("\u{202E}\u{200B}\u{1B}", max: 10) == nil)
        #expect(SafeText.forPerson(" \n\t", max: 10) == nil)
        #expect(SafeText.forPerson("Go to\r\nhttps://x", max: 100) == "Go to  https://x")
    }

    @Test func multilineKeepsOurLayoutAndCleansEachLine() {
        let qr = "\u{2588}\u{2580}\u{2584} \u{2588}\n\u{2584}\u{2584}\u{2588}  \n"
        #expect(SafeText.multiline(qr) == qr)
        let text = qr + "To sign in, open https://x\u{1B}[31m and enter\r the code ABC\u{202E}DEF."
        let cleaned = SafeText.multiline(text)
        #expect(cleaned == qr + "To sign in, open https://x[31m and enter  the code ABCDEF.")
        #expect(cleaned.split(separator: "\n", omittingEmptySubsequences: false).allSatisfy { Self.isClean(String($0)) })
        #expect(SafeText.multiline(String(repeating: "a\n", count: 1000)).split(separator: "\n").count == 200)
    }

    /// Printable ASCII skips the scalar walk (no Unicode tables on the hot path); the result is
    /// the walk's, at the length limits too, with and without spaces kept.
    @Test func printableASCIIShortcutGivesTheScalarWalksResult() {
        var seeded = SplitMix(seed: 0xA5C1_1000)
        let alphabet = Array(" !\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~\t\u{7f}".unicodeScalars)
        for round in 0..<2_000 {
            let limit = 1 + Int(seeded.next() % 40)
            let length = max(0, limit - 2 + Int(seeded.next() % 5))
            var s = String.UnicodeScalarView()
            for _ in 0..<length {
                // Mostly printable ASCII, sometimes a tab or DEL, which must take the walk.
                let pick = Int(seeded.next() % UInt64(seeded.next() % 8 == 0 ? alphabet.count : alphabet.count - 2))
                s.append(alphabet[pick])
            }
            let text = String(s)
            for spaces in [true, false] {
                for drop in [true, false] {
                    #expect(SafeText.clean(text, max: limit, spaces: spaces, drop: drop)
                                == SafeText.cleanScalars(text, limit: limit, spaces: spaces, drop: drop),
                            "round \(round): \(text.debugDescription) limit \(limit)")
                }
            }
        }
    }

    /// Random scalars from every plane: whatever goes in, nothing unsafe comes out and the caps hold.
    @Test func randomInputNeverLeaksAnythingUnsafe() {
        var seeded = SplitMix(seed: 0x5AFE_7E47)
        for round in 0..<500 {
            var s = String.UnicodeScalarView()
            let length = Int(seeded.next() % 600)
            for _ in 0..<length {
                let pick = seeded.next() % 4
                let v: UInt32 = pick == 0 ? UInt32(seeded.next() % 0x100)
                    : pick == 1 ? 0x2000 + UInt32(seeded.next() % 0x80)
                    : pick == 2 ? 0xFE00 + UInt32(seeded.next() % 0x200)
                    : UInt32(seeded.next() % 0x110000)
                if let u = Unicode.Scalar(v) { s.append(u) }
            }
            let text = String(s)
            for out in [SafeText.value(text), SafeText.line(text), SafeText.field(text), SafeText.forPerson(text, max: 128) ?? ""] {
                #expect(Self.isClean(out), "round \(round)")
                #expect(out.unicodeScalars.count <= SafeText.lineLimit + 1)
            }
            #expect(SafeText.value(text).unicodeScalars.count <= SafeText.valueLimit + 1)
            #expect(!SafeText.field(text).unicodeScalars.contains { $0.properties.isWhitespace })
            let multi = SafeText.multiline(text)
            #expect(multi.split(separator: "\n", omittingEmptySubsequences: false).allSatisfy { Self.isClean(String($0)) })
        }
    }
}

/// A small deterministic generator, so a failing round can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
