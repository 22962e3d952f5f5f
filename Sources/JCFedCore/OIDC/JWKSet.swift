/// Why a JWK Set document could not be used.
public enum JWKSetError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case noUsableKeys

    public var description: String {
        switch self {
        case .malformed(let why): return "JWK Set is malformed: \(why)"
        case .noUsableKeys: return "JWK Set has no usable signing key"
        }
    }
}

/// A JWK Set (RFC 7517 §5) as served at `jwks_uri`.
/// PLACEHOLDER: minimal RSA-only parsing for the device-flow work; the token-validation work
/// replaces this file with the full parser (EC keys, size and shape checks, x5c ignored).
public enum JWKSet {
    public static func parse(_ bytes: [UInt8]) -> Result<[JWK], JWKSetError> {
        guard case .success(let doc) = JSONParser.parse(bytes, maxBytes: 256 * 1024) else {
            return .failure(.malformed("not JSON"))
        }
        guard let entries = doc["keys"]?.arrayValue else { return .failure(.malformed("no keys array")) }
        var keys: [JWK] = []
        for entry in entries {
            guard entry["kty"]?.stringValue == "RSA",
                  let n64 = entry["n"]?.stringValue, let e64 = entry["e"]?.stringValue,
                  let n = Base64.urlDecode(n64), let e = Base64.urlDecode(e64),
                  !n.isEmpty, !e.isEmpty else { continue }
            let use = entry["use"]?.stringValue
            if let u = use, u != "sig" { continue }
            keys.append(JWK(kid: entry["kid"]?.stringValue, use: use, alg: entry["alg"]?.stringValue,
                            issuer: entry["issuer"]?.stringValue, material: .rsa(n: Array(n.drop { $0 == 0 }), e: e)))
        }
        return keys.isEmpty ? .failure(.noUsableKeys) : .success(keys)
    }
}
