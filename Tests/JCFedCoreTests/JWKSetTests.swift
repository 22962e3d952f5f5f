import Testing
@testable import JCFedCore

@Suite struct JWKSetTests {
    /// base64url of a 2048-bit modulus (top bit set) and of one with a leading zero byte.
    static let n2048 = Base64.urlEncode([0xC1] + [UInt8](repeating: 0x5A, count: 255))
    static let n2048Padded = Base64.urlEncode([0x00, 0xC1] + [UInt8](repeating: 0x5A, count: 255))
    static let n1024 = Base64.urlEncode([0xC1] + [UInt8](repeating: 0x5A, count: 127))
    static let coordinate = Base64.urlEncode([UInt8](repeating: 7, count: 32))

    private func parse(_ keys: String) -> Result<JWKSet, JWKSetError> {
        JWKSet.parse(Array("{\"keys\":[\(keys)]}".utf8))
    }

    private func onlyProblem(_ key: String) -> JWKProblem? {
        guard case .success(let set) = parse(key), set.keys.isEmpty, set.skipped.count == 1 else { return nil }
        return set.skipped.first?.problem
    }

    @Test func entraKeyKeepsKidAndIssuer() throws {
        let set = try parse(#"{"kty":"RSA","use":"sig","kid":"Mc7l","x5t":"Mc7l","n":"\#(Self.n2048)","e":"AQAB","x5c":["MIIC"],"issuer":"https://login.microsoftonline.com/{tenantid}/v2.0"}"#).get()
        let key = try #require(set.keys.first)
        #expect(key.kid == "Mc7l")
        #expect(key.issuer == "https://login.microsoftonline.com/{tenantid}/v2.0")
        #expect(key.alg == nil)
        #expect(key.bits == 2048)
        #expect(key.material == .rsa(n: [0xC1] + [UInt8](repeating: 0x5A, count: 255), e: [1, 0, 1]))
    }

    @Test func leadingZeroOfModulusIsStripped() throws {
        let key = try #require(try parse(#"{"kty":"RSA","kid":"a","n":"\#(Self.n2048Padded)","e":"AQAB"}"#).get().keys.first)
        #expect(key.bits == 2048)
        if case .rsa(let n, _) = key.material { #expect(n.first == 0xC1) }
    }

    @Test func ecP256Key() throws {
        let set = try parse(#"{"kty":"EC","crv":"P-256","kid":"e","alg":"ES256","x":"\#(Self.coordinate)","y":"\#(Self.coordinate)"}"#).get()
        #expect(set.keys.first?.alg == "ES256")
        #expect(set.keys.first?.fits(.es256) == true)
        #expect(set.keys.first?.fits(.rs256) == false)
    }

    @Test func badBase64IsReported() {
        #expect(onlyProblem(#"{"kty":"RSA","kid":"a","n":"\#(Self.n2048)=","e":"AQAB"}"#) == .badMember("n"))
        #expect(onlyProblem(#"{"kty":"RSA","kid":"a","n":"\#(Self.n2048)","e":"AQ+B"}"#) == .badMember("e"))
        #expect(onlyProblem(#"{"kty":"RSA","kid":"a","n":42,"e":"AQAB"}"#) == .badMember("n"))
        #expect(onlyProblem(#"{"kty":"RSA","kid":"a","e":"AQAB"}"#) == .missingMember("n"))
        #expect(onlyProblem(#"{"kty":"RSA","kid":"a","n":"","e":"AQAB"}"#) == .badMember("n"))
    }

    @Test func shortAndHugeKeysAreRefused() {
        #expect(onlyProblem(#"{"kty":"RSA","kid":"a","n":"\#(Self.n1024)","e":"AQAB"}"#) == .rsaKeyTooShort(bits: 1024))
        let huge = Base64.urlEncode([0xC1] + [UInt8](repeating: 1, count: 2048))
        #expect(onlyProblem(#"{"kty":"RSA","kid":"a","n":"\#(huge)","e":"AQAB"}"#) == .rsaKeyTooLong(bits: 16392))
    }

    @Test func badExponentsAreRefused() {
        for e in ["AQ", "Ag", "AAE", Base64.urlEncode([UInt8](repeating: 1, count: 9))] {  // 1, 2, 0x0001, 72 bits
            #expect(onlyProblem(#"{"kty":"RSA","kid":"a","n":"\#(Self.n2048)","e":"\#(e)"}"#) == .badExponent, "e=\(e)")
        }
        #expect(onlyProblem(#"{"kty":"RSA","kid":"a","n":"\#(Self.n2048)","e":"Aw"}"#) == nil)  // 3 is fine
    }

    @Test func wrongTypeAndCurveAreSkipped() {
        #expect(onlyProblem(#"{"kty":"oct","kid":"h","k":"c2VjcmV0"}"#) == .unknownKeyType)
        #expect(onlyProblem(#"{"kty":"OKP","crv":"Ed25519","kid":"o","x":"AAAA"}"#) == .unknownKeyType)
        #expect(onlyProblem(#"{"kid":"x","n":"\#(Self.n2048)","e":"AQAB"}"#) == .missingMember("kty"))
        #expect(onlyProblem(#"{"kty":"EC","crv":"P-384","kid":"e","x":"\#(Self.coordinate)","y":"\#(Self.coordinate)"}"#) == .unsupportedCurve)
        #expect(onlyProblem(#""just a string""#) == .notAnObject)
    }

    @Test func ecCoordinatesMustBe32Bytes() {
        let short = Base64.urlEncode([UInt8](repeating: 7, count: 31))
        let long = Base64.urlEncode([UInt8](repeating: 7, count: 33))
        #expect(onlyProblem(#"{"kty":"EC","crv":"P-256","kid":"e","x":"\#(short)","y":"\#(Self.coordinate)"}"#) == .badCoordinateLength)
        #expect(onlyProblem(#"{"kty":"EC","crv":"P-256","kid":"e","x":"\#(Self.coordinate)","y":"\#(long)"}"#) == .badCoordinateLength)
    }

    @Test func encryptionAndPrivateKeysAreSkipped() {
        #expect(onlyProblem(#"{"kty":"RSA","use":"enc","kid":"a","n":"\#(Self.n2048)","e":"AQAB"}"#) == .notForSignatures)
        #expect(onlyProblem(#"{"kty":"RSA","key_ops":["encrypt"],"kid":"a","n":"\#(Self.n2048)","e":"AQAB"}"#) == .notForSignatures)
        #expect(onlyProblem(#"{"kty":"RSA","use":7,"kid":"a","n":"\#(Self.n2048)","e":"AQAB"}"#) == .badMember("use"))
        #expect(onlyProblem(#"{"kty":"RSA","kid":"a","n":"\#(Self.n2048)","e":"AQAB","d":"AQAB"}"#) == .privateKeyMaterial)
    }

    @Test func oneBadKeyDoesNotSpoilTheSet() throws {
        let set = try parse(#"{"kty":"RSA","use":"enc","kid":"bad","n":"\#(Self.n2048)","e":"AQAB"},{"kty":"RSA","kid":"good","n":"\#(Self.n2048)","e":"AQAB"}"#).get()
        #expect(set.keys.map(\.kid) == ["good"])
        #expect(set.skipped == [JWKSet.SkippedKey(index: 0, kid: "bad", problem: .notForSignatures)])
        #expect(set.skipped.first?.description == "key #0: key is not for signatures")
    }

    @Test func malformedSetsAreErrors() throws {
        #expect(JWKSet.parse(Array("[]".utf8)) == .failure(.notAnObject))
        #expect(JWKSet.parse(Array("{}".utf8)) == .failure(.noKeysArray))
        #expect(JWKSet.parse(Array(#"{"keys":{}}"#.utf8)) == .failure(.noKeysArray))
        #expect(JWKSet.parse(Array(#"{"keys":[],"keys":[]}"#.utf8)) == .failure(.json(.duplicateKey)))
        if case .success = JWKSet.parse(Array("{".utf8)) { Issue.record("truncated JSON accepted") }
        #expect(try JWKSet.parse(Array(#"{"keys":[]}"#.utf8)).get().keys.isEmpty)
    }

    @Test func keyProblemRepeatsTheRulesForKeysBuiltInCode() {
        #expect(JWK(kid: "a", material: .rsa(n: [0xC1] + [UInt8](repeating: 0, count: 127), e: [1, 0, 1])).problem
                == .rsaKeyTooShort(bits: 1024))
        #expect(JWK(kid: "a", use: "enc", material: .rsa(n: CoreFixture.modulus, e: [1, 0, 1])).problem == .notForSignatures)
        #expect(JWK(kid: "a", material: .rsa(n: CoreFixture.modulus, e: [1, 0, 0])).problem == .badExponent)
        #expect(JWK(kid: "a", material: .ecP256(x: [1], y: [2])).problem == .badCoordinateLength)
        #expect(JWK(kid: "a", use: nil, material: .rsa(n: [0, 0] + CoreFixture.modulus, e: [1, 0, 1])).problem == nil)
    }

    /// A JWK keeps its members in one shared box (a copy is one reference count): still a value,
    /// so changing a copy never changes the key it was copied from, and equality is by members.
    @Test func keyIsAValueThoughItsMembersAreShared() {
        let original = JWK(kid: "a", alg: "RS256", issuer: "https://issuer", material: .rsa(n: [0xC1, 2], e: [1, 0, 1]))
        var copy = original
        #expect(copy == original)
        copy.kid = "b"
        copy.material = .ecP256(x: [1], y: [2])
        #expect(original.kid == "a")
        #expect(original.material == .rsa(n: [0xC1, 2], e: [1, 0, 1]))
        #expect(copy != original)
        var again = copy
        again.kid = "a"
        again.material = original.material
        // Built separately, equal members: equal.
        #expect(again == original)
        #expect(JWK(kid: nil, material: .ecP256(x: [1], y: [2])) != JWK(kid: nil, use: nil, material: .ecP256(x: [1], y: [2])))
    }
}
