import COpenSSL

/// JWS ES256 signatures are the raw 64 bytes r || s (RFC 7518 §3.4, the IEEE P1363 form);
/// OpenSSL's EVP verifier wants the DER `ECDSA-Sig-Value`. The conversion is here and only
/// accepts exactly 64 bytes, so a DER signature sent in a token (about 70 bytes) is refused.
/// Range checks (0 < r, s < n) are OpenSSL's during verification.
enum ECDSASignature {
    static let rawP256Length = 64

    static func der(fromRaw raw: [UInt8]) -> [UInt8]? {
        guard raw.count == rawP256Length else { return nil }
        let half = rawP256Length / 2
        guard let r = EVPPublicKey.bignum(raw.prefix(half)) else { return nil }
        guard let s = EVPPublicKey.bignum(raw.suffix(half)) else {
            jcfed_BN_free(r)
            return nil
        }
        guard let signature = jcfed_ECDSA_SIG_new() else {
            jcfed_BN_free(r)
            jcfed_BN_free(s)
            return nil
        }
        defer { jcfed_ECDSA_SIG_free(signature) }
        // On success set0 takes ownership of r and s (freed with the signature).
        guard jcfed_ECDSA_SIG_set0(signature, r, s) == 1 else {
            jcfed_BN_free(r)
            jcfed_BN_free(s)
            return nil
        }
        let length = jcfed_i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { return nil }
        var out = [UInt8](repeating: 0, count: Int(length))
        let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return jcfed_i2d_ECDSA_SIG(signature, &cursor)
        }
        return written == length ? out : nil
    }
}
