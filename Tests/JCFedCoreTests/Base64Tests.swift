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
