import Testing
import COpenSSL
import JCFedCore
@testable import JCFedCrypto

/// libcrypto is dlopen'ed on first use (not linked): the loader takes only a library that has
/// every function the module calls, and without it no signature verifies.
@Suite struct LazyLibcryptoTests {
    let message = Array("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0".utf8)

    @Test func theSystemLibcryptoLoads() {
        #expect(jcfed_crypto_load() == 1)
        #expect(jcfed_crypto_probe("libcrypto.so.3") == 1)
    }

    @Test func aMissingOrIncompleteLibraryIsRefused() {
        #expect(jcfed_crypto_probe("libjcfed-no-such-library.so.0") == 0)
        // A real library without the EVP functions: all symbols or none.
        #expect(jcfed_crypto_probe("libz.so.1") == 0)
        #expect(jcfed_crypto_probe(nil) == 0)
    }

    @Test func withoutLibcryptoNothingVerifies() {
        let signature = TestKeys.rsa.sign(.rs256, message)
        let key = TestKeys.rsa.jwk(kid: "k")
        #expect(OpenSSLVerifier().verify(algorithm: .rs256, key: key, signingInput: message, signature: signature))
        let unavailable = OpenSSLVerifier(cryptoAvailable: { false })
        #expect(!unavailable.verify(algorithm: .rs256, key: key, signingInput: message, signature: signature))
    }
}
