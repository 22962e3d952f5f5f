import Testing
import COpenSSL
import JCFedCore
@testable import JCFedCrypto

/// RS256/384/512 without EVP_PKEY_verify: the key's public operation (RSAPublicOperation) and
/// the one PKCS#1 v1.5 encoding compared whole (PKCS1Encoding). The Wycheproof files check the
/// pair through OpenSSLVerifier; these show each rule on its own, and the forgeries that a
/// lenient parse of the encoded message would let through, signed with the real private key.
@Suite struct RSAPublicOperationTests {
    let message = Array("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0".utf8)

    /// EMSA-PKCS1-v1_5 of `digest` for a k-byte modulus, with `prefix` and the padding it leaves.
    static func encoding(k: Int, prefix: [UInt8], digest: [UInt8], trailer: [UInt8] = []) -> [UInt8] {
        let padding = k - 3 - prefix.count - digest.count - trailer.count
        return [0x00, 0x01] + [UInt8](repeating: 0xFF, count: padding) + [0x00] + prefix + digest + trailer
    }

    static func sha(_ algorithm: JWSAlgorithm, _ message: [UInt8]) -> [UInt8] {
        let md: OpaquePointer? = switch algorithm {
        case .rs384: EVP_sha384()
        case .rs512: EVP_sha512()
        default: EVP_sha256()
        }
        var out = [UInt8](repeating: 0, count: 64)
        var length: UInt32 = 0
        #expect(EVP_Digest(message, message.count, &out, &length, md, nil) == 1)
        return Array(out.prefix(Int(length)))
    }

    /// `encoded` raised to d with the test key: a signature whose public operation gives exactly
    /// `encoded` (what an attacker could only make for a lenient verifier with a low exponent).
    static func rawSign(_ key: TestKey, _ encoded: [UInt8]) -> [UInt8] {
        guard let context = EVP_PKEY_CTX_new(key.pointer, nil) else { fatalError("ctx") }
        defer { EVP_PKEY_CTX_free(context) }
        var length = encoded.count
        var out = [UInt8](repeating: 0, count: length)
        guard EVP_PKEY_sign_init(context) == 1, EVP_PKEY_CTX_set_rsa_padding(context, RSA_NO_PADDING) == 1,
              EVP_PKEY_sign(context, &out, &length, encoded, encoded.count) == 1 else { fatalError("raw sign") }
        return Array(out.prefix(length))
    }

    static func matches(_ encoded: [UInt8], _ digest: [UInt8], _ algorithm: JWSAlgorithm) -> Bool {
        encoded.withUnsafeBufferPointer { e in
            digest.withUnsafeBufferPointer { PKCS1Encoding.matches(e, digest: $0, algorithm: algorithm) }
        }
    }

    @Test func onlyTheExactEncodingMatches() throws {
        let digest = Self.sha(.rs256, message)
        let prefix = try #require(PKCS1Encoding.digestInfoPrefix(.rs256))
        let good = Self.encoding(k: 256, prefix: prefix, digest: digest)
        #expect(Self.matches(good, digest, .rs256))
        // Every byte matters: each single change is refused, wherever it is.
        for index in good.indices {
            var changed = good
            changed[index] ^= 0x01
            let matched = Self.matches(changed, digest, .rs256)
            #expect(!matched, "byte \(index)")
        }
        // Another hash's digest, or this encoding read as another algorithm's.
        #expect(!Self.matches(good, Self.sha(.rs384, message), .rs384))
        #expect(!Self.matches(good, digest, .rs384))
        #expect(!Self.matches(good, digest, .ps256))
        // Longer or shorter than k by one byte.
        #expect(!Self.matches(good + [0], digest, .rs256))
        #expect(!Self.matches(Array(good.dropLast()), digest, .rs256))
        // The least padding allowed is 8 bytes of 0xFF (RFC 8017 §9.2 step 5).
        let k = 3 + 8 + prefix.count + digest.count
        #expect(Self.matches(Self.encoding(k: k, prefix: prefix, digest: digest), digest, .rs256))
        #expect(!Self.matches(Self.encoding(k: k - 1, prefix: prefix, digest: digest), digest, .rs256))
    }

    @Test func theOperationGivesWhatOpenSSLSigned() throws {
        guard case .rsa(let n, let e) = TestKeys.rsa.material else { Issue.record("not RSA"); return }
        let operation = try #require(RSAPublicOperation(n: n, e: e))
        #expect(operation.size == 256)
        for algorithm in [JWSAlgorithm.rs256, .rs384, .rs512] {
            let signature = TestKeys.rsa.sign(algorithm, message)
            let digest = Self.sha(algorithm, message)
            let prefix = try #require(PKCS1Encoding.digestInfoPrefix(algorithm))
            let opened = signature.withUnsafeBufferPointer { s in
                operation.open(s) { Array($0) == Self.encoding(k: 256, prefix: prefix, digest: digest) }
            }
            #expect(opened, "\(algorithm)")
        }
    }

    @Test func aSignatureNotBelowTheModulusIsRefused() throws {
        guard case .rsa(let n, let e) = TestKeys.rsa.material else { Issue.record("not RSA"); return }
        let operation = try #require(RSAPublicOperation(n: n, e: e))
        func opens(_ signature: [UInt8]) -> Bool {
            signature.withUnsafeBufferPointer { operation.open($0) { _ in true } }
        }
        var belowN = n
        belowN[belowN.count - 1] -= 1
        #expect(opens(belowN))
        #expect(!opens(n))
        #expect(!opens([UInt8](repeating: 0xFF, count: 256)))
        // Not k bytes: one short (a value below n all the same) or one long.
        #expect(!opens(Array(belowN.dropFirst())))
        #expect(!opens([0] + belowN))
        #expect(!opens([]))
    }

    @Test func aKeyFromTheDefaultProviderTakesThePublicOperation() throws {
        // Only keys of OpenSSL's default provider: a FIPS provider (openssl.cnf) keeps the whole check.
        let rsa = try #require(EVPPublicKey.make(TestKeys.rsa.material))
        #expect(rsa.isFromDefaultProvider)
    }

    @Test func keysOpenSSLWouldRefuseAreRefused() {
        guard case .rsa(let n, let e) = TestKeys.rsa.material else { Issue.record("not RSA"); return }
        #expect(RSAPublicOperation(n: n, e: e) != nil)
        // An even modulus (Montgomery arithmetic needs an odd one).
        var even = n
        even[even.count - 1] &= 0xFE
        #expect(RSAPublicOperation(n: even, e: e) == nil)
        // e not below n.
        #expect(RSAPublicOperation(n: n, e: n) == nil)
        #expect(RSAPublicOperation(n: n, e: [0x01] + n) == nil)
        // Above 3072 bits, e of at most 64 bits.
        let large = [UInt8](repeating: 0xC3, count: 512)
        #expect(RSAPublicOperation(n: large, e: [UInt8](repeating: 0xFF, count: 8)) != nil)
        #expect(RSAPublicOperation(n: large, e: [0x01] + [UInt8](repeating: 0xFF, count: 8)) == nil)
        // Empty numbers, and a modulus above 16384 bits.
        #expect(RSAPublicOperation(n: [], e: e) == nil)
        #expect(RSAPublicOperation(n: n, e: []) == nil)
        #expect(RSAPublicOperation(n: [UInt8](repeating: 0xC3, count: 2049), e: e) == nil)
    }

    /// Encoded messages a parsing verifier has been fooled by (Bleichenbacher 2006 and its
    /// variants: garbage after the digest, in the DigestInfo, short padding, another block
    /// type), each signed with the key itself: the public operation gives exactly that message,
    /// and the verifier still says no.
    @Test func malformedEncodingsSignedWithTheRealKeyAreRefused() throws {
        let key = TestKeys.rsa
        let jwk = key.jwk(kid: "k")
        let digest = Self.sha(.rs256, message)
        let prefix = try #require(PKCS1Encoding.digestInfoPrefix(.rs256))
        // Both paths say the same: the public operation, and EVP_PKEY_verify (another provider's keys).
        let verifiers = [OpenSSLVerifier(), OpenSSLVerifier(directRSA: false)]
        func verifies(_ encoded: [UInt8]) -> Bool {
            let signature = Self.rawSign(key, encoded)
            let verdicts = verifiers.map { $0.verify(algorithm: .rs256, key: jwk, signingInput: message, signature: signature) }
            #expect(verdicts[0] == verdicts[1], "the two paths disagree")
            return verdicts[0]
        }
        #expect(verifies(Self.encoding(k: 256, prefix: prefix, digest: digest)))
        let garbageAfterDigest = Self.encoding(k: 256, prefix: prefix, digest: digest, trailer: [UInt8](repeating: 0x41, count: 16))
        #expect(!verifies(garbageAfterDigest))
        // DigestInfo without the NULL parameters (30 2f 30 0b 06 09 OID 04 20).
        let noNull: [UInt8] = [0x30, 0x2f, 0x30, 0x0b] + prefix[4..<15] + [0x04, 0x20]
        #expect(!verifies(Self.encoding(k: 256, prefix: noNull, digest: digest)))
        // A long-form length in the DigestInfo's SEQUENCE (81 31).
        let longLength: [UInt8] = [0x30, 0x81, 0x31] + prefix[2...]
        #expect(!verifies(Self.encoding(k: 256, prefix: longLength, digest: digest)))
        // Seven bytes of padding, the rest moved into garbage before the separator.
        var shortPadding = Self.encoding(k: 256, prefix: prefix, digest: digest)
        shortPadding[9] = 0x00
        #expect(!verifies(shortPadding))
        // Block type 2 (encryption padding) instead of 1.
        var blockType2 = Self.encoding(k: 256, prefix: prefix, digest: digest)
        blockType2[1] = 0x02
        #expect(!verifies(blockType2))
        // The digest of another message, and the right digest under SHA-384's DigestInfo.
        #expect(!verifies(Self.encoding(k: 256, prefix: prefix, digest: Self.sha(.rs256, message + [0]))))
        let sha384Prefix = try #require(PKCS1Encoding.digestInfoPrefix(.rs384))
        #expect(!verifies(Self.encoding(k: 256, prefix: sha384Prefix, digest: Self.sha(.rs384, message))))
        #expect(ERR_peek_error() == 0)
    }
}
