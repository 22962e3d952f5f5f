import COpenSSL
import JCFedCore

/// JWS signature verification over OpenSSL 3 EVP: RS256/384/512 (RSASSA-PKCS1-v1_5), PS256
/// (RSASSA-PSS, MGF1 with SHA-256, salt of 32 bytes as RFC 7518 §3.5 requires) and ES256
/// (ECDSA P-256, raw r||s). The core has already chosen key and algorithm; this class only
/// checks that they belong together and does the arithmetic. Every OpenSSL object is freed on
/// every path, and the thread's OpenSSL error queue is left empty (the host, e.g. sshd, uses
/// OpenSSL too).
///
/// libcrypto is loaded on first use (COpenSSL); when it cannot be loaded nothing verifies.
public final class OpenSSLVerifier: SignatureVerifier {
    private let cryptoAvailable: () -> Bool

    public convenience init() {
        self.init(cryptoAvailable: { jcfed_crypto_load() == 1 })
    }

    /// Tests: a loader that fails shows the verifier failing closed.
    init(cryptoAvailable: @escaping () -> Bool) {
        self.cryptoAvailable = cryptoAvailable
    }

    public func verify(algorithm: JWSAlgorithm, key: JWK, signingInput: [UInt8], signature: [UInt8]) -> Bool {
        guard cryptoAvailable() else { return false }
        defer { jcfed_ERR_clear_error() }
        switch (algorithm, key.material) {
        case (.rs256, .rsa), (.rs384, .rsa), (.rs512, .rsa), (.ps256, .rsa), (.es256, .ecP256): break
        default: return false
        }
        guard let publicKey = EVPPublicKey.make(key.material) else { return false }
        let encoded: [UInt8]
        if algorithm == .es256 {
            guard let der = ECDSASignature.der(fromRaw: signature) else { return false }
            encoded = der
        } else {
            // RSA signatures are exactly as long as the modulus (RFC 8017 §8.2.2 step 1).
            guard signature.count == publicKey.signatureSize else { return false }
            encoded = signature
        }
        return digestVerify(algorithm: algorithm, key: publicKey, message: signingInput, signature: encoded)
    }

    private func digestVerify(algorithm: JWSAlgorithm, key: EVPPublicKey, message: [UInt8], signature: [UInt8]) -> Bool {
        guard let context = jcfed_EVP_MD_CTX_new() else { return false }
        defer { jcfed_EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        guard jcfed_EVP_DigestVerifyInit(context, &keyContext, OpenSSLVerifier.digest(algorithm), nil, key.pointer) == 1,
              let parameters = keyContext else { return false }
        switch algorithm {
        case .ps256:
            guard jcfed_EVP_PKEY_CTX_set_rsa_padding(parameters, RSA_PKCS1_PSS_PADDING) == 1,
                  jcfed_EVP_PKEY_CTX_set_rsa_mgf1_md(parameters, jcfed_EVP_sha256()) == 1,
                  jcfed_EVP_PKEY_CTX_set_rsa_pss_saltlen(parameters, 32) == 1 else { return false }
        case .rs256, .rs384, .rs512:
            guard jcfed_EVP_PKEY_CTX_set_rsa_padding(parameters, RSA_PKCS1_PADDING) == 1 else { return false }
        case .es256:
            break
        }
        let result = signature.withUnsafeBufferPointer { sig in
            message.withUnsafeBufferPointer { msg in
                jcfed_EVP_DigestVerify(context, sig.baseAddress, sig.count, msg.baseAddress, msg.count)
            }
        }
        // 1 is a good signature; 0 a bad one; negative an error. Only 1 passes.
        return result == 1
    }

    static func digest(_ algorithm: JWSAlgorithm) -> OpaquePointer? {
        switch algorithm {
        case .rs256, .ps256, .es256: return jcfed_EVP_sha256()
        case .rs384: return jcfed_EVP_sha384()
        case .rs512: return jcfed_EVP_sha512()
        }
    }
}
