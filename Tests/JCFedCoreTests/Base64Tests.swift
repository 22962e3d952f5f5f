import Testing
@testable import JCFedCore

/// Strict base64url (JWS) and base64 (x5c): one encoding per byte string, everything else refused.
@Suite struct Base64Tests {
    /// RFC 4648 §10 test vectors.
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test func rfc4648VectorsStandard() {
        for (plain, encoded) in Self.vectors {
            #expect(Base64.stdEncode(Array(plain.utf8)) == encoded)
            #expect(Base64.stdDecode(encoded) == Array(plain.utf8))
        }
    }

    @Test func rfc4648VectorsURLWithoutPadding() {
        for (plain, encoded) in Self.vectors {
            let unpadded = String(encoded.filter { $0 != "=" })
            #expect(Base64.urlEncode(Array(plain.utf8)) == unpadded)
            #expect(Base64.urlDecode(unpadded) == Array(plain.utf8))
        }
    }

    @Test func urlAlphabetUsesDashAndUnderscore() {
        let bytes: [UInt8] = [0xfb, 0xff, 0xbf]
        #expect(Base64.urlEncode(bytes) == "-_-_")
        #expect(Base64.stdEncode(bytes) == "+/+/")
        #expect(Base64.urlDecode("-_-_") == bytes)
        #expect(Base64.stdDecode("+/+/") == bytes)
        // Each alphabet refuses the other's characters.
        #expect(Base64.urlDecode("+/+/") == nil)
        #expect(Base64.stdDecode("-_-_") == nil)
    }

    @Test func roundTripsEveryLength() {
        for n in 0..<70 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64.urlDecode(Base64.urlEncode(bytes)) == bytes)
            #expect(Base64.stdDecode(Base64.stdEncode(bytes)) == bytes)
        }
    }

    @Test(arguments: ["Zg==", "Zm8=", "Zg=", "=", "Zm9v===="])
    func base64urlRefusesPadding(_ s: String) {
        #expect(Base64.urlDecode(s) == nil)
    }

    @Test(arguments: ["Zg", "Zm8", "Zg=", "Z===", "====", "Zm9vYg=", "Zg==Zg==", "=Zg=", "Zm9v=", "Z"])
    func base64RequiresExactPadding(_ s: String) {
        #expect(Base64.stdDecode(s) == nil)
    }

    @Test(arguments: ["Zm9v YmFy", "Zm9v\nYmFy", "Zm9v.YmFy", "Zm9v\u{0}", "Zm9vé", "Zm9v%3D", "Zm9v\t"])
    func badCharactersAreRefused(_ s: String) {
        #expect(Base64.urlDecode(s) == nil)
        #expect(Base64.stdDecode(s) == nil)
    }

    @Test func aLengthOfOneModFourIsRefused() {
        #expect(Base64.urlDecode("Z") == nil)
        #expect(Base64.urlDecode("Zm9vY") == nil)
    }

    @Test(arguments: [
        ("Zh", "Zg"),        // 'f' with a non-zero low bit in the last character
        ("Zm9", "Zm8"),      // "fo"
        ("Zm9vYh", "Zm9vYg"),
        ("Zm_", "Zm8"),
    ])
    func nonCanonicalTrailingBitsAreRefused(_ bad: String, _ canonical: String) {
        #expect(Base64.urlDecode(bad) == nil, "\(bad) decodes to the same bytes as \(canonical)")
        #expect(Base64.urlDecode(canonical) != nil)
    }

    @Test func nonCanonicalTrailingBitsAreRefusedWithPadding() {
        #expect(Base64.stdDecode("Zh==") == nil)
        #expect(Base64.stdDecode("Zm9=") == nil)
        #expect(Base64.stdDecode("Zg==") == [0x66])
    }

    @Test func substringDecodeMatchesString() {
        let token = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"
        let parts = token.split(separator: ".")
        #expect(parts.count == 3)
        #expect(Base64.urlDecode(parts[0]) == Array(#"{"alg":"RS256"}"#.utf8))
        #expect(Base64.urlDecode(parts[1]) == Array("{}".utf8))
        #expect(Base64.urlDecode(parts[2]) == Array("sig".utf8))
    }
}

/// The four-at-a-time decoder against a bit-at-a-time reference (the previous implementation).
@Suite struct Base64DecoderTests {
    static func reference(_ chars: [UInt8]) -> [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        guard chars.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        var acc: UInt32 = 0
        var bits = 0
        for c in chars {
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        if bits > 0 && acc & ((1 << UInt32(bits)) - 1) != 0 { return nil }
        return out
    }

    @Test func agreesWithTheReference() {
        let alphabet = Array("AQgwBCDhPaZz09-_".utf8) + Array("=+/ .\n".utf8) + [0x00, 0x80, 0xff]
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        for _ in 0..<20_000 {
            let chars = (0..<next(14)).map { _ in alphabet[next(alphabet.count)] }
            #expect(Base64.urlDecode(chars[...]) == Self.reference(chars), "\(chars)")
            var appended: [UInt8] = [9]
            let ok = Base64.urlDecode(chars[...], appendingTo: &appended)
            #expect(ok == (Self.reference(chars) != nil))
            if ok { #expect(appended == [9] + (Self.reference(chars) ?? [])) }
        }
        for length in 0..<40 {
            let bytes = (0..<length).map { _ in UInt8(next(256)) }
            #expect(Base64.urlDecode(Base64.urlEncode(bytes)) == bytes)
        }
    }
}

/// The decoder's fast loop (one 4-byte store per quad) on segments as long as a token's, and
/// into a buffer with room after the segment: nothing past the decoded bytes may be written.
@Suite struct Base64LongSegmentTests {
    @Test func longInputsAgreeWithTheReferenceAndStayInTheirRange() {
        let alphabet = Array("AQgwBCDhPaZz09-_".utf8) + Array("=+/ .".utf8) + [0x00, 0x80, 0xff]
        var state: UInt64 = 99
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        for round in 0..<4_000 {
            let length = next(120)
            // Mostly valid text (the fast loop runs to the end), sometimes one bad character.
            var chars = (0..<length).map { _ in alphabet[next(16)] }
            if round % 3 == 0, length > 0 { chars[next(length)] = alphabet[next(alphabet.count)] }
            let reference = Base64DecoderTests.reference(chars)
            #expect(Base64.urlDecode(chars[...]) == reference, "\(chars)")
            guard let count = Base64.decodedCount(chars.count) else {
                #expect(reference == nil)
                continue
            }
            var output = [UInt8](repeating: 0xA5, count: 3 + count + 5)
            let ok = chars.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { Base64.urlDecode(input, into: $0, at: 3) }
            }
            #expect(ok == (reference != nil), "\(chars)")
            #expect(Array(output[..<3]) == [0xA5, 0xA5, 0xA5])
            #expect(Array(output[(3 + count)...]) == [UInt8](repeating: 0xA5, count: 5), "\(chars)")
            if let reference { #expect(Array(output[3..<(3 + count)]) == reference) }
        }
    }

    @Test func decodedCountIsTheBytesOfACanonicalEncoding() {
        for length in 0..<40 {
            let bytes = [UInt8](repeating: 7, count: length)
            #expect(Base64.decodedCount(Base64.urlEncode(bytes).utf8.count) == length)
        }
        #expect(Base64.decodedCount(5) == nil)
        #expect(Base64.decodedCount(-4) == nil)
    }
}
