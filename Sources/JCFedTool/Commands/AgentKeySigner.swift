import COpenSSL
import JCFedCore

/// Signs System Context requests with the JumpCloud agent's device key (`<agent_dir>/client.key`,
/// an unencrypted PEM RSA key: PKCS#1 or PKCS#8) over OpenSSL: RSASSA-PKCS1-v1_5 with SHA-256,
/// what `openssl dgst -sha256 -sign client.key` does in JumpCloud's own examples.
///
/// Tool-local until JCFedCrypto's RSASigner (token branch) is merged; then this file can become a
/// thin adapter over it.
final class AgentKeySigner: RequestSigner {
    private let key: OpaquePointer

    private init(key: OpaquePointer) { self.key = key }

    deinit { EVP_PKEY_free(key) }

    static func load(path: String, owner: UInt32) -> Result<AgentKeySigner, JumpCloudError> {
        let text: String
        switch SafeFile.readText(path, rules: .init(owner: owner, maxBytes: 64 * 1024, holdsSecret: true)) {
        case .failure(let f): return .failure(JumpCloudError(.configuration, "\(path) \(f.description)"))
        case .success(let t): text = t
        }
        guard var der = pemBody(text) else {
            return .failure(JumpCloudError(.configuration, "\(path) is not an unencrypted PEM private key"))
        }
        defer { der.withUnsafeMutableBytes { if let b = $0.baseAddress { OPENSSL_cleanse(b, $0.count) } } }
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buf -> OpaquePointer? in
            var p: UnsafePointer<UInt8>? = buf.baseAddress
            return d2i_AutoPrivateKey(nil, &p, buf.count)
        }
        guard let key = parsed else {
            return .failure(JumpCloudError(.configuration, "\(path) could not be read as a private key"))
        }
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA, EVP_PKEY_get_bits(key) >= 2048 else {
            EVP_PKEY_free(key)
            return .failure(JumpCloudError(.configuration, "\(path) is not an RSA key of at least 2048 bits"))
        }
        return .success(AgentKeySigner(key: key))
    }

    /// The DER bytes between the BEGIN and END lines; nil for encrypted or malformed PEM.
    static func pemBody(_ text: String) -> [UInt8]? {
        var inside = false
        var b64 = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(raw)
            while let l = line.last, l == "\r" || l == " " { line = line.dropLast() }
            if line.hasPrefix("-----BEGIN ") {
                guard !inside, line.hasSuffix("PRIVATE KEY-----"), !line.contains("ENCRYPTED") else { return nil }
                inside = true
                continue
            }
            if line.hasPrefix("-----END ") { return inside ? Base64.stdDecode(b64) : nil }
            if inside {
                if line.contains(":") { return nil }  // Proc-Type / DEK-Info: an encrypted key
                b64 += line
            }
        }
        return nil
    }

    func signRSASHA256(_ message: [UInt8]) -> [UInt8]? {
        guard let ctx = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, EVP_sha256(), nil, key) == 1 else { return nil }
        return message.withUnsafeBufferPointer { m -> [UInt8]? in
            var length = 0
            guard EVP_DigestSign(ctx, nil, &length, m.baseAddress, m.count) == 1, length > 0, length <= 2048 else { return nil }
            var signature = [UInt8](repeating: 0, count: length)
            let ok = signature.withUnsafeMutableBufferPointer { s in
                EVP_DigestSign(ctx, s.baseAddress, &length, m.baseAddress, m.count)
            }
            guard ok == 1 else { return nil }
            return Array(signature.prefix(length))
        }
    }
}
