import Testing
import COpenSSL
import JCFedCore
import JCFedCrypto

/// The verifier's own contract, beside the Wycheproof vectors: key and algorithm must belong
/// together, ES256 takes only raw r||s, and OpenSSL's error queue is left empty for the host.
@Suite struct OpenSSLVerifierTests {
    let message = Array("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0".utf8)

    @Test func everyAlgorithmVerifiesItsOwnSignature() {
        let verifier = OpenSSLVerifier()
        for algorithm in JWSAlgorithm.allCases {
            let key = algorithm == .es256 ? TestKeys.ec : TestKeys.rsa
            let signature = key.sign(algorithm, message)
            #expect(verifier.verify(algorithm: algorithm, key: key.jwk(kid: "k"), signingInput: message, signature: signature))
            #expect(!verifier.verify(algorithm: algorithm, key: key.jwk(kid: "k"), signingInput: message + [0], signature: signature))
        }
    }

    @Test func algorithmsDoNotCrossOver() {
        let verifier = OpenSSLVerifier()
        let rs256 = TestKeys.rsa.sign(.rs256, message)
        let ps256 = TestKeys.rsa.sign(.ps256, message)
        let key = TestKeys.rsa.jwk(kid: "k")
        #expect(!verifier.verify(algorithm: .ps256, key: key, signingInput: message, signature: rs256))
        #expect(!verifier.verify(algorithm: .rs256, key: key, signingInput: message, signature: ps256))
        #expect(!verifier.verify(algorithm: .rs384, key: key, signingInput: message, signature: rs256))
        #expect(!verifier.verify(algorithm: .es256, key: key, signingInput: message, signature: rs256))
        #expect(!verifier.verify(algorithm: .rs256, key: TestKeys.ec.jwk(kid: "e"), signingInput: message, signature: rs256))
    }

    @Test func es256TakesRawSignaturesOnly() {
        let verifier = OpenSSLVerifier()
        let key = TestKeys.ec.jwk(kid: "e")
        let der = TestKeys.ec.digestSign(.es256, message)
        #expect(der.first == 0x30)
        #expect(!verifier.verify(algorithm: .es256, key: key, signingInput: message, signature: der))
        #expect(!verifier.verify(algorithm: .es256, key: key, signingInput: message, signature: [UInt8](repeating: 0, count: 64)))
        let offCurve = JWK(kid: "x", material: .ecP256(x: [UInt8](repeating: 1, count: 32), y: [UInt8](repeating: 2, count: 32)))
        #expect(!verifier.verify(algorithm: .es256, key: offCurve, signingInput: message,
                                 signature: TestKeys.ec.sign(.es256, message)))
    }

    @Test func verifierArithmeticWorksForShortKeysPolicyDoesNot() {
        // The verifier only does arithmetic; the 2048-bit floor is JWK/KeySelection policy.
        let key = TestKeys.rsa1024.jwk(kid: "s")
        #expect(key.problem == .rsaKeyTooShort(bits: 1024))
        #expect(OpenSSLVerifier().verify(algorithm: .rs256, key: key, signingInput: message,
                                         signature: TestKeys.rsa1024.sign(.rs256, message)))
    }

    @Test func errorQueueIsLeftEmpty() {
        let garbage = JWK(kid: "g", material: .rsa(n: [UInt8](repeating: 0xFF, count: 256), e: [1, 0, 1]))
        #expect(!OpenSSLVerifier().verify(algorithm: .rs256, key: garbage, signingInput: message,
                                          signature: [UInt8](repeating: 7, count: 256)))
        #expect(!OpenSSLVerifier().verify(algorithm: .es256, key: TestKeys.ec.jwk(kid: "e"), signingInput: message,
                                          signature: [UInt8](repeating: 0xFF, count: 64)))
        #expect(ERR_peek_error() == 0)
    }
}

/// The verifier keeps the digest and context it used last: switching algorithms and keys on
/// one verifier must still check each signature with its own algorithm and key.
@Suite struct OpenSSLVerifierReuseTests {
    @Test func alternatingAlgorithmsAndKeysOnOneVerifier() {
        let message = Array("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJiIn0".utf8)
        let verifier = OpenSSLVerifier()
        let cases: [(JWSAlgorithm, TestKey)] = [(.rs256, TestKeys.rsa), (.ps256, TestKeys.rsa), (.rs256, TestKeys.rsa),
                                                (.rs384, TestKeys.rsa), (.es256, TestKeys.ec), (.rs512, TestKeys.rsa),
                                                (.rs256, TestKeys.rsa), (.es256, TestKeys.ec), (.ps256, TestKeys.rsa)]
        let signatures = cases.map { $0.1.sign($0.0, message) }
        for round in 0..<2 {
            for (i, (algorithm, key)) in cases.enumerated() {
                let jwk = key.jwk(kid: "k")
                #expect(verifier.verify(algorithm: algorithm, key: jwk, signingInput: message, signature: signatures[i]),
                        "\(round) \(algorithm)")
                #expect(!verifier.verify(algorithm: algorithm, key: jwk, signingInput: message + [0], signature: signatures[i]))
                // The previous case's signature, made with another algorithm (or key), does not pass.
                let previous = (i + cases.count - 1) % cases.count
                if cases[previous].0 != algorithm {
                    #expect(!verifier.verify(algorithm: algorithm, key: jwk, signingInput: message,
                                             signature: signatures[previous]))
                }
            }
        }
    }
}
