import Testing
import JCFedCore
import JCFedCrypto

@Suite struct VerifierSmokeTests {
    @Test func garbageSignatureFails() {
        let key = JWK(kid: "k", material: .rsa(n: [UInt8](repeating: 0xff, count: 256), e: [1, 0, 1]))
        #expect(!OpenSSLVerifier().verify(algorithm: .rs256, key: key, signingInput: [1], signature: [2]))
    }
}
