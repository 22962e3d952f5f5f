import COpenSSL
import JCFedCore

/// A private key generated for a test (RSA of any size, EC P-256) with a JWS signer over
/// OpenSSL EVP. Test-only: the module never signs tokens.
final class TestKey: @unchecked Sendable {
    let pointer: OpaquePointer

    private init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { EVP_PKEY_free(pointer) }

    static func rsa(bits: Int32) -> TestKey {
        generate(jcfed_ossl_name_rsa()) { EVP_PKEY_CTX_set_rsa_keygen_bits($0, bits) }
    }

    static func ecP256() -> TestKey {
        generate(jcfed_ossl_name_ec()) { EVP_PKEY_CTX_set_group_name($0, "P-256") }
    }

    private static func generate(_ type: UnsafePointer<CChar>, _ configure: (OpaquePointer) -> Int32) -> TestKey {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else { fatalError("keygen context") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, configure(context) == 1,
              EVP_PKEY_generate(context, &key) == 1, let made = key else { fatalError("keygen") }
        return TestKey(made)
    }

    var isRSA: Bool { EVP_PKEY_is_a(pointer, jcfed_ossl_name_rsa()) == 1 }

    /// The public numbers, as a JWK carries them.
    var material: JWK.Material {
        if isRSA {
            return .rsa(n: bignumParam(jcfed_ossl_rsa_n()), e: bignumParam(jcfed_ossl_rsa_e()))
        }
        var point = [UInt8](repeating: 0, count: 65)
        var length = 0
        guard EVP_PKEY_get_octet_string_param(pointer, jcfed_ossl_pub_key(), &point, point.count, &length) == 1,
              length == 65, point.first == 0x04 else { fatalError("EC public point") }
        return .ecP256(x: Array(point[1..<33]), y: Array(point[33..<65]))
    }

    private func bignumParam(_ name: UnsafePointer<CChar>) -> [UInt8] {
        var bn: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pointer, name, &bn) == 1, let value = bn else { fatalError("bn param") }
        defer { BN_free(value) }
        var out = [UInt8](repeating: 0, count: (Int(BN_num_bits(value)) + 7) / 8)
        _ = BN_bn2bin(value, &out)
        return out
    }

    func jwk(kid: String?, use: String? = "sig", alg: String? = nil, issuer: String? = nil) -> JWK {
        JWK(kid: kid, use: use, alg: alg, issuer: issuer, material: material)
    }

    /// The key as a JWK Set member (JSON text), with extra raw members appended.
    func jwkJSON(kid: String, extra: String = "") -> String {
        var members: [String]
        switch material {
        case .rsa(let n, let e):
            members = [#""kty":"RSA""#, #""n":"\#(Base64.urlEncode(n))""#, #""e":"\#(Base64.urlEncode(e))""#]
        case .ecP256(let x, let y):
            members = [#""kty":"EC""#, #""crv":"P-256""#, #""x":"\#(Base64.urlEncode(x))""#, #""y":"\#(Base64.urlEncode(y))""#]
        }
        members.append(#""kid":"\#(kid)""#)
        if !extra.isEmpty { members.append(extra) }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// A JWS signature as the algorithm defines it (ES256: raw r||s).
    func sign(_ algorithm: JWSAlgorithm, _ message: [UInt8]) -> [UInt8] {
        let der = digestSign(algorithm, message)
        return algorithm == .es256 ? TestKey.rawECDSA(der) : der
    }

    /// The OpenSSL output unchanged (ES256: DER), for the DER-instead-of-raw attack.
    func digestSign(_ algorithm: JWSAlgorithm, _ message: [UInt8]) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { fatalError("md ctx") }
        defer { EVP_MD_CTX_free(context) }
        let digest: OpaquePointer? = switch algorithm {
        case .rs384: EVP_sha384()
        case .rs512: EVP_sha512()
        default: EVP_sha256()
        }
        var keyContext: OpaquePointer?
        guard EVP_DigestSignInit(context, &keyContext, digest, nil, pointer) == 1, let parameters = keyContext else {
            fatalError("sign init")
        }
        if algorithm == .ps256 {
            guard EVP_PKEY_CTX_set_rsa_padding(parameters, RSA_PKCS1_PSS_PADDING) == 1,
                  EVP_PKEY_CTX_set_rsa_mgf1_md(parameters, EVP_sha256()) == 1,
                  EVP_PKEY_CTX_set_rsa_pss_saltlen(parameters, 32) == 1 else { fatalError("pss") }
        }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else { fatalError("sign size") }
        var out = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &out, &length, message, message.count) == 1 else { fatalError("sign") }
        return Array(out.prefix(length))
    }

    private static func rawECDSA(_ der: [UInt8]) -> [UInt8] {
        var cursor: UnsafePointer<UInt8>? = nil
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            cursor = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let signature = parsed else { fatalError("DER signature") }
        defer { ECDSA_SIG_free(signature) }
        var out = [UInt8](repeating: 0, count: 64)
        guard let r = ECDSA_SIG_get0_r(signature), let s = ECDSA_SIG_get0_s(signature),
              out.withUnsafeMutableBufferPointer({ buffer -> Bool in
                  guard let base = buffer.baseAddress else { return false }
                  return BN_bn2binpad(r, base, 32) == 32 && BN_bn2binpad(s, base + 32, 32) == 32
              }) else { fatalError("raw signature") }
        return out
    }

    /// The private key as PEM (PKCS#8), for RSASigner.
    var privatePEM: [UInt8] {
        memoryBIO { PEM_write_bio_PrivateKey($0, pointer, nil, nil, 0, nil, nil) }
    }

    /// The public key as PEM (SubjectPublicKeyInfo): the "secret" of the HS256 key-confusion attack.
    var publicPEM: [UInt8] {
        memoryBIO { PEM_write_bio_PUBKEY($0, pointer) }
    }

    private func memoryBIO(_ write: (OpaquePointer) -> Int32) -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { fatalError("bio") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { fatalError("pem write") }
        let pending = Int(BIO_ctrl_pending(bio))
        var out = [UInt8](repeating: 0, count: pending)
        guard BIO_read(bio, &out, Int32(pending)) == Int32(pending) else { fatalError("bio read") }
        return out
    }

    /// HMAC-SHA-2 with an arbitrary byte string as the key.
    static func hmac(_ algorithm: String, key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        let digest = algorithm == "HS384" ? "SHA384" : algorithm == "HS512" ? "SHA512" : "SHA256"
        var out = [UInt8](repeating: 0, count: 64)
        var length = 0
        guard EVP_Q_mac(nil, "HMAC", nil, digest, nil, key, key.count, message, message.count,
                        &out, out.count, &length) != nil else { fatalError("hmac") }
        return Array(out.prefix(length))
    }
}

/// Keys made once per test process (RSA generation is slow).
enum TestKeys {
    static let rsa = TestKey.rsa(bits: 2048)
    static let attacker = TestKey.rsa(bits: 2048)
    static let rsa1024 = TestKey.rsa(bits: 1024)
    static let ec = TestKey.ecP256()
}
