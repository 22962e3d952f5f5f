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
///
/// RS256/384/512 are checked with the key's RSA public operation and the PKCS#1 v1.5 encoding
/// compared whole (RSAPublicOperation says why not EVP_PKEY_verify) when OpenSSL's default
/// provider holds the key; with any other provider (FIPS, configured in openssl.cnf), and for
/// PS256 and ES256, with EVP_PKEY_verify, so that provider does all of the check.
///
/// What OpenSSL needs for a key is made once and kept (the last few keys, by exact key
/// numbers): the EVP_PKEY, per algorithm a verification context with padding and digest set
/// (VerificationContext), and for RSA the public operation with its Montgomery context. Making
/// them (EVP_PKEY_fromdata, the Montgomery setup, algorithm fetches) costs more than the RSA
/// operation itself, and a verifier that checks many tokens (admin tool, bench) meets the same
/// few keys again. The digests are fetched once per verifier for the same reason. An instance
/// is used by one thread at a time (each login makes its own).
public final class OpenSSLVerifier: SignatureVerifier {
    private let cryptoAvailable: () -> Bool
    /// Whether RS256/384/512 may use RSAPublicOperation (tests turn it off to check the EVP path).
    private let directRSA: Bool
    private var keys: [KeptKey] = []
    private var digests: [JWSAlgorithm: FetchedDigest] = [:]
    /// The digest used last (a verifier mostly meets one algorithm): no dictionary lookup per call.
    private var lastDigest: (algorithm: JWSAlgorithm, digest: FetchedDigest)?
    /// Entra publishes about six signing keys at a time.
    static let keyCacheLimit = 8

    public convenience init() {
        self.init(directRSA: true)
    }

    /// Tests: `directRSA: false` checks RS256/384/512 with EVP_PKEY_verify, as a key from
    /// another provider is.
    convenience init(directRSA: Bool) {
        self.init(cryptoAvailable: { jcfed_crypto_load() == 1 }, directRSA: directRSA)
    }

    /// Tests: a loader that fails shows the verifier failing closed.
    init(cryptoAvailable: @escaping () -> Bool, directRSA: Bool = true) {
        self.cryptoAvailable = cryptoAvailable
        self.directRSA = directRSA
    }

    /// Loads libcrypto if needed (once per process).
    public var isUsable: Bool { cryptoAvailable() }

    public func verify(algorithm: JWSAlgorithm, key: JWK, signingInput: [UInt8], signature: [UInt8]) -> Bool {
        signingInput.withUnsafeBufferPointer { input in
            signature.withUnsafeBufferPointer { verify(algorithm: algorithm, key: key, signingInput: input, signature: $0) }
        }
    }

    /// The bytes are only handed to OpenSSL (pointer and count), never indexed here.
    public func verify(algorithm: JWSAlgorithm, key: JWK, signingInput: UnsafeBufferPointer<UInt8>,
                       signature: UnsafeBufferPointer<UInt8>) -> Bool {
        guard cryptoAvailable() else { return false }
        defer { jcfed_ERR_clear_error() }
        switch (algorithm, key.material) {
        case (.rs256, .rsa), (.rs384, .rsa), (.rs512, .rsa), (.ps256, .rsa), (.es256, .ecP256): break
        default: return false
        }
        guard let kept = kept(key.material) else { return false }
        // ES256: the raw r||s re-encoded as DER for OpenSSL (empty for RSA).
        var der: [UInt8] = []
        if algorithm == .es256 {
            guard let encoded = ECDSASignature.der(fromRaw: Array(signature)) else { return false }
            der = encoded
        } else {
            // RSA signatures are exactly as long as the modulus (RFC 8017 §8.2.2 step 1).
            guard signature.count == kept.key.signatureSize else { return false }
        }
        guard let digest = digest(algorithm) else { return false }
        if algorithm.isPKCS1, directRSA, let operation = kept.rsaOperation {
            // PKCS#1 v1.5: the key's own public operation, then the one encoding compared.
            return digest.hash(signingInput) { hashed in
                operation.open(signature) { PKCS1Encoding.matches($0, digest: hashed, algorithm: algorithm) }
            }
        }
        guard let context = kept.context(for: algorithm) else { return false }
        if algorithm == .es256 {
            return der.withUnsafeBufferPointer { der in
                digest.hash(signingInput) { context.verify(signature: der, digest: $0) }
            }
        }
        return digest.hash(signingInput) { context.verify(signature: signature, digest: $0) }
    }

    /// The kept key for these numbers, or a new one (kept unless it failed).
    private func kept(_ material: JWK.Material) -> KeptKey? {
        if let found = keys.first(where: { $0.material == material }) { return found }
        guard let made = EVPPublicKey.make(material) else { return nil }
        if keys.count >= OpenSSLVerifier.keyCacheLimit { keys.removeFirst() }
        let entry = KeptKey(material: material, key: made)
        keys.append(entry)
        return entry
    }

    /// The message digest the algorithm signs (SHA-256/384/512), nil if OpenSSL cannot fetch it.
    private func digest(_ algorithm: JWSAlgorithm) -> FetchedDigest? {
        let fetched: FetchedDigest
        if let last = lastDigest, last.algorithm == algorithm {
            fetched = last.digest
        } else if let found = digests[algorithm] {
            fetched = found
        } else {
            guard let made = FetchedDigest(OpenSSLVerifier.digestName(algorithm)) else { return nil }
            digests[algorithm] = made
            fetched = made
        }
        lastDigest = (algorithm, fetched)
        return fetched
    }

    static func digestName(_ algorithm: JWSAlgorithm) -> UnsafePointer<CChar> {
        switch algorithm {
        case .rs256, .ps256, .es256: return jcfed_ossl_name_sha256()
        case .rs384: return jcfed_ossl_name_sha384()
        case .rs512: return jcfed_ossl_name_sha512()
        }
    }

    static func digest(_ algorithm: JWSAlgorithm) -> OpaquePointer? {
        switch algorithm {
        case .rs256, .ps256, .es256: return jcfed_EVP_sha256()
        case .rs384: return jcfed_EVP_sha384()
        case .rs512: return jcfed_EVP_sha512()
        }
    }
}

/// A key with the verification contexts made for it so far, one per algorithm.
private final class KeptKey {
    let material: JWK.Material
    let key: EVPPublicKey
    private var contexts: [JWSAlgorithm: VerificationContext] = [:]
    /// The context used last: no dictionary lookup per call for a key checked with one algorithm.
    private var lastContext: (algorithm: JWSAlgorithm, context: VerificationContext)?

    /// RS256/384/512's arithmetic for this key, made on first use; nil for an EC key, a key that
    /// another provider than OpenSSL's default holds (EVP_PKEY_verify then checks it), or one
    /// RSAPublicOperation refuses (which EVP_PKEY_verify refuses too).
    lazy var rsaOperation: RSAPublicOperation? = {
        guard case .rsa(let n, let e) = material, key.isFromDefaultProvider else { return nil }
        return RSAPublicOperation(n: n, e: e)
    }()

    init(material: JWK.Material, key: EVPPublicKey) {
        self.material = material
        self.key = key
    }

    func context(for algorithm: JWSAlgorithm) -> VerificationContext? {
        if let last = lastContext, last.algorithm == algorithm { return last.context }
        let context: VerificationContext
        if let found = contexts[algorithm] {
            context = found
        } else {
            guard let made = VerificationContext(key: key, algorithm: algorithm) else { return nil }
            contexts[algorithm] = made
            context = made
        }
        lastContext = (algorithm, context)
        return context
    }
}

/// An EVP_PKEY_CTX initialised for verification with one key and one algorithm's padding and
/// digest. EVP_PKEY_verify does not change it, so it checks any number of signatures.
private final class VerificationContext {
    private let pointer: OpaquePointer
    /// Holds the key for as long as the context points at it.
    private let key: EVPPublicKey

    init?(key: EVPPublicKey, algorithm: JWSAlgorithm) {
        guard let context = jcfed_EVP_PKEY_CTX_new_from_pkey(nil, key.pointer, nil) else { return nil }
        var ready = jcfed_EVP_PKEY_verify_init(context) == 1
        switch algorithm {
        case .ps256:
            ready = ready && jcfed_EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PSS_PADDING) == 1
                && jcfed_EVP_PKEY_CTX_set_rsa_mgf1_md(context, jcfed_EVP_sha256()) == 1
                && jcfed_EVP_PKEY_CTX_set_rsa_pss_saltlen(context, 32) == 1
        case .rs256, .rs384, .rs512:
            ready = ready && jcfed_EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) == 1
        case .es256:
            break
        }
        // The digest the signature was made over: for PKCS#1 v1.5 its DigestInfo is checked.
        ready = ready && jcfed_EVP_PKEY_CTX_set_signature_md(context, OpenSSLVerifier.digest(algorithm)) == 1
        guard ready else {
            jcfed_EVP_PKEY_CTX_free(context)
            return nil
        }
        self.pointer = context
        self.key = key
    }

    deinit { jcfed_EVP_PKEY_CTX_free(pointer) }

    /// 1 is a good signature; 0 a bad one; negative an error. Only 1 passes.
    func verify(signature: UnsafeBufferPointer<UInt8>, digest: UnsafeBufferPointer<UInt8>) -> Bool {
        jcfed_EVP_PKEY_verify(pointer, signature.baseAddress, signature.count, digest.baseAddress, digest.count) == 1
    }
}

/// An explicitly fetched digest implementation (EVP_MD_fetch): hashing with it skips the
/// implicit provider lookup that EVP_sha256() costs on every use.
private final class FetchedDigest {
    private let pointer: OpaquePointer

    init?(_ name: UnsafePointer<CChar>) {
        guard let md = jcfed_EVP_MD_fetch(nil, name, nil) else { return nil }
        pointer = md
    }

    deinit { jcfed_EVP_MD_free(pointer) }

    /// `body` given the digest of `message`, in a buffer on the stack (no array per
    /// verification); false if OpenSSL fails. OpenSSL writes at most EVP_MAX_MD_SIZE bytes and
    /// says how many; only those are passed on.
    func hash(_ message: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(EVP_MAX_MD_SIZE)) { buffer in
            var length: UInt32 = 0
            guard buffer.count >= Int(EVP_MAX_MD_SIZE),
                  jcfed_EVP_Digest(message.baseAddress, message.count, buffer.baseAddress, &length, pointer, nil) == 1,
                  length > 0, Int(length) <= buffer.count else { return false }
            return body(UnsafeBufferPointer(rebasing: buffer[0..<Int(length)]))
        }
    }
}
