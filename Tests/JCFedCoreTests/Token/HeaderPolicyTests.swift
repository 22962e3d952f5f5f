import Testing
@testable import JCFedCore

/// The policies that run before any claim: algorithm, crit, key selection, signature.
@Suite struct HeaderPolicyTests {
    private func header(_ json: String) -> JWSHeader {
        JWSHeader((try? JSONParser.parse(json).get().objectValue) ?? [:])
    }

    @Test func algorithmPolicy() {
        #expect(AlgorithmPolicy.algorithm(of: header(#"{"alg":"RS256"}"#), allowed: [.rs256]) == .success(.rs256))
        #expect(AlgorithmPolicy.algorithm(of: header(#"{"alg":"PS256"}"#), allowed: JWSAlgorithm.oidcAllowList) == .success(.ps256))
        for alg in ["none", "None", "NONE", "HS256", "HS384", "HS512", "rs256", "ES384", "EdDSA", ""] {
            #expect(AlgorithmPolicy.algorithm(of: header(#"{"alg":"\#(alg)"}"#), allowed: JWSAlgorithm.oidcAllowList)
                    == .failure(TokenRejection(.algorithmNotAllowed)), "alg \(alg)")
        }
        #expect(AlgorithmPolicy.algorithm(of: header(#"{"alg":"PS256"}"#), allowed: [.rs256]) == .failure(TokenRejection(.algorithmNotAllowed)))
        #expect(AlgorithmPolicy.algorithm(of: header("{}"), allowed: [.rs256]) == .failure(TokenRejection(.algorithmNotAllowed)))
        #expect(AlgorithmPolicy.algorithm(of: header(#"{"alg":null}"#), allowed: [.rs256]) == .failure(TokenRejection(.algorithmNotAllowed)))
    }

    @Test func criticalHeaderPolicy() {
        #expect(CriticalHeaderPolicy.check(header(#"{"alg":"RS256","typ":"JWT"}"#)) == nil)
        #expect(CriticalHeaderPolicy.check(header(#"{"alg":"RS256","crit":["b64"]}"#)) == TokenRejection(.criticalHeader))
        #expect(CriticalHeaderPolicy.check(header(#"{"alg":"RS256","crit":[]}"#)) == TokenRejection(.criticalHeader))
    }

    @Test func keySelection() {
        let key = CoreFixture.key
        let other = JWK(kid: "k2", material: .rsa(n: CoreFixture.modulus, e: [3]))
        let ec = JWK(kid: "ec", material: .ecP256(x: [UInt8](repeating: 1, count: 32), y: [UInt8](repeating: 2, count: 32)))
        #expect(KeySelection.key(for: header(#"{"kid":"k2"}"#), algorithm: .rs256, keys: [key, other]) == .success(other))
        #expect(KeySelection.key(for: header(#"{"kid":"nope"}"#), algorithm: .rs256, keys: [key]) == .failure(TokenRejection(.unknownKid)))
        #expect(KeySelection.key(for: header(#"{"kid":7}"#), algorithm: .rs256, keys: [key]) == .failure(TokenRejection(.malformed)))
        // Without kid: only an unambiguous single-key set.
        #expect(KeySelection.key(for: header("{}"), algorithm: .rs256, keys: [key]) == .success(key))
        #expect(KeySelection.key(for: header("{}"), algorithm: .rs256, keys: [key, other]) == .failure(TokenRejection(.unknownKid)))
        // The key must fit the algorithm and pass the key rules.
        #expect(KeySelection.key(for: header(#"{"kid":"ec"}"#), algorithm: .rs256, keys: [ec]) == .failure(TokenRejection(.keyUnusable)))
        #expect(KeySelection.key(for: header(#"{"kid":"ec"}"#), algorithm: .es256, keys: [ec]) == .success(ec))
        let enc = JWK(kid: "k1", use: "enc", material: key.material)
        #expect(KeySelection.key(for: header(#"{"kid":"k1"}"#), algorithm: .rs256, keys: [enc]) == .failure(TokenRejection(.keyUnusable)))
        let short = JWK(kid: "k1", material: .rsa(n: [0xC1] + [UInt8](repeating: 9, count: 127), e: [1, 0, 1]))
        #expect(KeySelection.key(for: header(#"{"kid":"k1"}"#), algorithm: .rs256, keys: [short]) == .failure(TokenRejection(.keyUnusable)))
        let pinned = JWK(kid: "k1", alg: "RS512", material: key.material)
        #expect(KeySelection.key(for: header(#"{"kid":"k1"}"#), algorithm: .rs256, keys: [pinned]) == .failure(TokenRejection(.keyUnusable)))
        // Of two keys with one kid, the usable one is chosen.
        #expect(KeySelection.key(for: header(#"{"kid":"k1"}"#), algorithm: .rs256, keys: [enc, key]) == .success(key))
    }

    @Test func keySelectionIgnoresEmbeddedKeys() {
        let embedded = header(#"{"kid":"attacker","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB"},"jku":"https://evil/keys"}"#)
        #expect(KeySelection.key(for: embedded, algorithm: .rs256, keys: [CoreFixture.key]) == .failure(TokenRejection(.unknownKid)))
    }

    @Test func signaturePolicy() throws {
        let jws = try CompactJWS.parse(CoreFixture.token(), maxBytes: 4096).get()
        #expect(SignaturePolicy.check(jws, algorithm: .rs256, key: CoreFixture.key, verifier: FakeVerifier(true)) == nil)
        #expect(SignaturePolicy.check(jws, algorithm: .rs256, key: CoreFixture.key, verifier: FakeVerifier(false))
                == TokenRejection(.badSignature))
        let unsigned = try CompactJWS.parse(CoreFixture.token(signature: []), maxBytes: 4096).get()
        let verifier = FakeVerifier(true)
        #expect(SignaturePolicy.check(unsigned, algorithm: .rs256, key: CoreFixture.key, verifier: verifier) == TokenRejection(.badSignature))
        #expect(verifier.calls.isEmpty)
    }
}
