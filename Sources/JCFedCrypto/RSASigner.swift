import COpenSSL
import JCFedCore

/// Signs with the JumpCloud agent's device key (`/opt/jc/client.key`, PEM) for the System
/// Context API: base64(RSA-SHA256(PKCS#1 v1.5)) over the signing string. The key file is read
/// through the storage's file rules (no symlink, root-owned, not readable by others); an encrypted key fails
/// rather than prompting for a passphrase.
public final class RSASigner {
    public enum LoadError: Error, Equatable, Sendable, CustomStringConvertible {
        case file(FileRefusal)
        case notAnRSAPrivateKey

        public var description: String {
            switch self {
            case .file(let failure): return "key file \(failure)"
            case .notAnRSAPrivateKey: return "key file does not hold an unencrypted RSA private key in PEM"
            }
        }
    }

    private let key: OpaquePointer

    private init(key: OpaquePointer) {
        self.key = key
    }

    deinit { jcfed_EVP_PKEY_free(key) }

    /// Reads and parses a PEM private key file (at most 64 KiB) as a secret: mode 0600 or stricter.
    public static func load(path: String, storage: ModuleStorage) -> Result<RSASigner, LoadError> {
        switch storage.read(path, maxBytes: 64 * 1024, holdsSecret: true) {
        case .failure(let failure):
            return .failure(.file(failure))
        case .success(var pem):
            defer { wipe(&pem) }
            guard let signer = RSASigner(pem: pem) else { return .failure(.notAnRSAPrivateKey) }
            return .success(signer)
        }
    }

    /// Parses a PEM private key (PKCS#8 or PKCS#1); nil unless it is an unencrypted RSA key.
    public init?(pem: [UInt8]) {
        defer { jcfed_ERR_clear_error() }
        guard !pem.isEmpty, pem.count <= Int(Int32.max) else { return nil }
        let parsed: OpaquePointer? = pem.withUnsafeBytes { raw in
            guard let bio = jcfed_BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { jcfed_BIO_free(bio) }
            return jcfed_PEM_read_bio_PrivateKey(bio, nil, jcfed_pem_no_password_cb(), nil)
        }
        guard let parsedKey = parsed else { return nil }
        guard jcfed_EVP_PKEY_is_a(parsedKey, jcfed_ossl_name_rsa()) == 1 else {
            jcfed_EVP_PKEY_free(parsedKey)
            return nil
        }
        key = parsedKey
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`; nil if OpenSSL fails.
    public func signSHA256(_ message: [UInt8]) -> [UInt8]? {
        defer { jcfed_ERR_clear_error() }
        guard let context = jcfed_EVP_MD_CTX_new() else { return nil }
        defer { jcfed_EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        guard jcfed_EVP_DigestSignInit(context, &keyContext, jcfed_EVP_sha256(), nil, key) == 1,
              let parameters = keyContext,
              jcfed_EVP_PKEY_CTX_set_rsa_padding(parameters, RSA_PKCS1_PADDING) == 1 else { return nil }
        var length = 0
        let sized = message.withUnsafeBufferPointer {
            jcfed_EVP_DigestSign(context, nil, &length, $0.baseAddress, $0.count)
        }
        guard sized == 1, length > 0 else { return nil }
        var signature = [UInt8](repeating: 0, count: length)
        let signed = signature.withUnsafeMutableBufferPointer { out in
            message.withUnsafeBufferPointer { jcfed_EVP_DigestSign(context, out.baseAddress, &length, $0.baseAddress, $0.count) }
        }
        guard signed == 1, length <= signature.count else { return nil }
        return Array(signature.prefix(length))
    }

    /// Overwrites a buffer that held key material before it is released.
    private static func wipe(_ bytes: inout [UInt8]) {
        for i in bytes.indices { bytes[i] = 0 }
    }
}
