import Testing
import Glibc
import JCFedCore
import JCFedCrypto
import JCFedSystem

@Suite struct RSASignerTests {
    @Test func signsWhatTheVerifierAccepts() throws {
        let signer = try #require(RSASigner(pem: TestKeys.rsa.privatePEM))
        let message = Array("GET /api/systems/abc HTTP/1.1\ndate: Thu, 01 Jan 2026 00:00:00 GMT".utf8)
        let signature = try #require(signer.signSHA256(message))
        #expect(signature.count == 256)
        let key = TestKeys.rsa.jwk(kid: "device")
        #expect(OpenSSLVerifier().verify(algorithm: .rs256, key: key, signingInput: message, signature: signature))
        // PKCS#1 v1.5 is deterministic: the test signer agrees byte for byte.
        #expect(signature == TestKeys.rsa.sign(.rs256, message))
    }

    @Test func refusesNonRSAAndGarbage() {
        #expect(RSASigner(pem: TestKeys.ec.privatePEM) == nil)
        #expect(RSASigner(pem: Array("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8)) == nil)
        #expect(RSASigner(pem: []) == nil)
    }

    @Test func loadsAFileUnderTheSecretFileRules() throws {
        var template = Array("/tmp/jcfed-signer-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        try #require(fd >= 0)
        let path = String(cString: template)
        defer { unlink(path) }
        let pem = TestKeys.rsa.privatePEM
        #expect(write(fd, pem, pem.count) == pem.count)
        close(fd)
        let rules = SystemStorage(owner: getuid())
        #expect(chmod(path, 0o600) == 0)
        let signer = try RSASigner.load(path: path, storage: rules).get()
        #expect(signer.signSHA256([1, 2, 3]) != nil)
        // A key file others can read is refused.
        #expect(chmod(path, 0o644) == 0)
        if case .failure(.file(.readableByOthers)) = RSASigner.load(path: path, storage: rules) {} else {
            Issue.record("world-readable key file accepted")
        }
    }
}
