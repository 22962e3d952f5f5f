import COpenSSL

/// RSAVP1 and I2OSP (RFC 8017 §5.2.2, §4.1) for one RSA public key, with OpenSSL's arithmetic:
/// the signature's integer raised to `e` modulo `n` (BN_mod_exp_mont), written back as the
/// k-byte encoded message that RSASSA-PKCS1-v1_5 verification then compares (PKCS1Encoding).
///
/// Why not EVP_PKEY_verify, which PS256 and ES256 still use (and RS* with a key that another
/// provider than OpenSSL's default holds): on every call it makes and frees a BN_CTX and its
/// numbers (about twenty allocations, callgrind), takes a lock on the key's Montgomery context
/// and goes through the provider dispatch and DigestInfo handling around the same
/// exponentiation. Here the Montgomery context, the BN_CTX and the numbers are made once per key
/// and kept with it (OpenSSLVerifier keeps the key), so a check is the exponentiation and two
/// conversions. Measured on build/jcfed-bench's verify-alone loop against the EVP build, in
/// alternating rounds: 3-13 % more checks per CPU second (2 % fewer instructions; the rest is
/// the allocations and the lock).
///
/// A key is refused where OpenSSL's own RSA public operation refuses it (rsa_ossl.c): a modulus
/// above 16384 bits (EVPPublicKey.bignum takes no longer number, JWK.maxRSABits), `e` not below
/// `n`, `e` above 64 bits with a modulus above 3072 bits; and an even modulus, for which
/// Montgomery arithmetic is undefined (OpenSSL fails it in the exponentiation). A signature whose integer is not below `n` is refused (RSAVP1 step 1).
/// An instance is used by one thread at a time, like the verifier that keeps it.
final class RSAPublicOperation {
    private let modulus: OpaquePointer
    private let exponent: OpaquePointer
    private let montgomery: OpaquePointer
    private let context: OpaquePointer
    /// The signature's integer and the result, reused by every check.
    private let input: OpaquePointer
    private let output: OpaquePointer
    /// k: the modulus length in bytes, the length of a signature and of the encoded message.
    let size: Int

    /// OpenSSL's limits for the public operation's exponent (OPENSSL_RSA_SMALL_MODULUS_BITS,
    /// OPENSSL_RSA_MAX_PUBEXP_BITS); its modulus cap (OPENSSL_RSA_MAX_MODULUS_BITS, 16384) is
    /// EVPPublicKey.bignum's.
    static let smallModulusBits = 3072
    static let maxLargeKeyExponentBits = 64

    init?(n: [UInt8], e: [UInt8]) {
        let modulus = EVPPublicKey.bignum(n)
        let exponent = EVPPublicKey.bignum(e)
        let input = jcfed_BN_new()
        let output = jcfed_BN_new()
        let context = jcfed_BN_CTX_new()
        let montgomery = jcfed_BN_MONT_CTX_new()
        guard let modulus, let exponent, let input, let output, let context, let montgomery,
              n.last.map({ $0 & 1 == 1 }) == true,
              let bits = RSAPublicOperation.modulusBits(modulus, exponent),
              jcfed_BN_MONT_CTX_set(montgomery, modulus, context) == 1 else {
            // Each free takes NULL (OpenSSL's frees do nothing with it).
            jcfed_BN_MONT_CTX_free(montgomery)
            jcfed_BN_CTX_free(context)
            [modulus, exponent, input, output].forEach { jcfed_BN_free($0) }
            return nil
        }
        self.modulus = modulus
        self.exponent = exponent
        self.input = input
        self.output = output
        self.context = context
        self.montgomery = montgomery
        self.size = (bits + 7) / 8
    }

    deinit {
        jcfed_BN_MONT_CTX_free(montgomery)
        jcfed_BN_CTX_free(context)
        [modulus, exponent, input, output].forEach { jcfed_BN_free($0) }
    }

    /// The modulus length in bits when OpenSSL's limits for `e` hold and `e` is below `n` (see
    /// the type), nil otherwise.
    private static func modulusBits(_ modulus: OpaquePointer, _ exponent: OpaquePointer) -> Int? {
        let bits = Int(jcfed_BN_num_bits(modulus))
        guard bits > 0, jcfed_BN_ucmp(modulus, exponent) > 0,
              bits <= smallModulusBits || Int(jcfed_BN_num_bits(exponent)) <= maxLargeKeyExponentBits else { return nil }
        return bits
    }

    /// `body` given the encoded message of `signature` (k bytes, on the stack); false without
    /// calling it when the signature is not k bytes, its integer is not below `n`, or OpenSSL fails.
    func open(_ signature: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        guard signature.count == size, size > 0, let bytes = signature.baseAddress,
              jcfed_BN_bin2bn(bytes, Int32(size), input) != nil,
              jcfed_BN_ucmp(input, modulus) < 0,
              jcfed_BN_mod_exp_mont(output, input, exponent, modulus, context, montgomery) == 1 else { return false }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: size) { buffer in
            guard buffer.count >= size, let start = buffer.baseAddress,
                  jcfed_BN_bn2binpad(output, start, Int32(size)) == Int32(size) else { return false }
            return body(UnsafeBufferPointer(start: start, count: size))
        }
    }
}
