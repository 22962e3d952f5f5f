import COpenSSL
import JCFedCore

/// An owned OpenSSL public key (EVP_PKEY) made from a JWK's numbers with the OpenSSL 3
/// provider API (OSSL_PARAM_BLD + EVP_PKEY_fromdata). Parameter names come from C helpers
/// that return string literals: OSSL_PARAM_BLD keeps the name pointer until the build.
final class EVPPublicKey {
    let pointer: OpaquePointer

    private init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { jcfed_EVP_PKEY_free(pointer) }

    /// Size of a signature in bytes (the modulus length for RSA).
    var signatureSize: Int { Int(jcfed_EVP_PKEY_get_size(pointer)) }

    /// Whether OpenSSL's "default" provider holds the key: not "fips", nor another provider that
    /// openssl.cnf configures (OpenSSLVerifier then leaves all its arithmetic to that provider).
    var isFromDefaultProvider: Bool { jcfed_EVP_PKEY_is_from_default_provider(pointer) == 1 }

    static func make(_ material: JWK.Material) -> EVPPublicKey? {
        switch material {
        case .rsa(let n, let e): return rsa(n: n, e: e)
        case .ecP256(let x, let y): return ecP256(x: x, y: y)
        }
    }

    /// Largest big-endian integer accepted (16384-bit modulus).
    private static let maxIntegerBytes = JWK.maxRSABits / 8

    static func rsa(n: [UInt8], e: [UInt8]) -> EVPPublicKey? {
        guard let bnN = bignum(n) else { return nil }
        defer { jcfed_BN_free(bnN) }
        guard let bnE = bignum(e) else { return nil }
        defer { jcfed_BN_free(bnE) }
        guard let builder = jcfed_OSSL_PARAM_BLD_new() else { return nil }
        defer { jcfed_OSSL_PARAM_BLD_free(builder) }
        guard jcfed_OSSL_PARAM_BLD_push_BN(builder, jcfed_ossl_rsa_n(), bnN) == 1,
              jcfed_OSSL_PARAM_BLD_push_BN(builder, jcfed_ossl_rsa_e(), bnE) == 1,
              let params = jcfed_OSSL_PARAM_BLD_to_param(builder) else { return nil }
        defer { jcfed_OSSL_PARAM_free(params) }
        return fromData(type: jcfed_ossl_name_rsa(), params: params)
    }

    static func ecP256(x: [UInt8], y: [UInt8]) -> EVPPublicKey? {
        guard x.count == 32, y.count == 32 else { return nil }
        // SEC 1 uncompressed point: 0x04 || x || y.
        let point: [UInt8] = [0x04] + x + y
        guard let builder = jcfed_OSSL_PARAM_BLD_new() else { return nil }
        defer { jcfed_OSSL_PARAM_BLD_free(builder) }
        // The builder keeps the point's pointer until to_param copies it: both inside one scope.
        let params: UnsafeMutablePointer<OSSL_PARAM>? = point.withUnsafeBytes { raw in
            guard jcfed_OSSL_PARAM_BLD_push_utf8_string(builder, jcfed_ossl_group_name(), jcfed_ossl_prime256v1(), 0) == 1,
                  jcfed_OSSL_PARAM_BLD_push_octet_string(builder, jcfed_ossl_pub_key(), raw.baseAddress, raw.count) == 1
            else { return nil }
            return jcfed_OSSL_PARAM_BLD_to_param(builder)
        }
        guard let params = params else { return nil }
        defer { jcfed_OSSL_PARAM_free(params) }
        guard let key = fromData(type: jcfed_ossl_name_ec(), params: params) else { return nil }
        // fromdata already refuses a point off the curve; the explicit check says so and also
        // refuses the point at infinity.
        guard let check = jcfed_EVP_PKEY_CTX_new_from_pkey(nil, key.pointer, nil) else { return nil }
        defer { jcfed_EVP_PKEY_CTX_free(check) }
        return jcfed_EVP_PKEY_public_check(check) == 1 ? key : nil
    }

    private static func fromData(type: UnsafePointer<CChar>, params: UnsafeMutablePointer<OSSL_PARAM>) -> EVPPublicKey? {
        guard let context = jcfed_EVP_PKEY_CTX_new_from_name(nil, type, nil) else { return nil }
        defer { jcfed_EVP_PKEY_CTX_free(context) }
        guard jcfed_EVP_PKEY_fromdata_init(context) == 1 else { return nil }
        var key: OpaquePointer?
        guard jcfed_EVP_PKEY_fromdata(context, &key, jcfed_evp_pkey_public_key(), params) == 1, let made = key else {
            jcfed_EVP_PKEY_free(key)
            return nil
        }
        return EVPPublicKey(made)
    }

    /// A BIGNUM from big-endian bytes (caller frees), nil when empty or too long.
    static func bignum(_ bytes: ArraySlice<UInt8>) -> OpaquePointer? {
        guard !bytes.isEmpty, bytes.count <= maxIntegerBytes else { return nil }
        return bytes.withUnsafeBufferPointer { jcfed_BN_bin2bn($0.baseAddress, Int32($0.count), nil) }
    }

    static func bignum(_ bytes: [UInt8]) -> OpaquePointer? { bignum(bytes[...]) }
}
