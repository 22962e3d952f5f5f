extension JWK {
    /// Members that only a private key has (RFC 7518 §6.2.2, §6.3.2).
    private static let privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth"]

    /// One key from a JWK Set member. Only keys that may check a signature come out:
    /// RSA (n, e) or EC P-256 (x, y), `use` absent or `sig`, sizes within policy.
    public static func parse(_ value: JSONValue) -> Result<JWK, JWKProblem> {
        guard let object = value.objectValue else { return .failure(.notAnObject) }
        let kid: String?, use: String?, alg: String?, issuer: String?
        switch (text(object, "kid"), text(object, "use"), text(object, "alg"), text(object, "issuer")) {
        case (.success(let k), .success(let u), .success(let a), .success(let i)):
            (kid, use, alg, issuer) = (k, u, a, i)
        case (.failure(let p), _, _, _), (_, .failure(let p), _, _), (_, _, .failure(let p), _), (_, _, _, .failure(let p)):
            return .failure(p)
        }
        if let use = use, use != "sig" { return .failure(.notForSignatures) }
        if let ops = object["key_ops"] {
            guard let list = ops.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                return .failure(.badMember("key_ops"))
            }
            guard list.contains(.string("verify")) else { return .failure(.notForSignatures) }
        }
        if privateMembers.contains(where: { object[$0] != nil }) { return .failure(.privateKeyMaterial) }
        guard let kty = object["kty"] else { return .failure(.missingMember("kty")) }
        guard let type = kty.stringValue else { return .failure(.badMember("kty")) }

        let material: Material
        switch type {
        case "RSA":
            switch (bytes(object, "n"), bytes(object, "e")) {
            case (.success(let n), .success(let e)):
                material = .rsa(n: Array(n.drop(while: { $0 == 0 })), e: Array(e.drop(while: { $0 == 0 })))
            case (.failure(let p), _), (_, .failure(let p)):
                return .failure(p)
            }
        case "EC":
            guard let crv = object["crv"] else { return .failure(.missingMember("crv")) }
            guard crv == .string("P-256") else { return .failure(.unsupportedCurve) }
            switch (bytes(object, "x"), bytes(object, "y")) {
            case (.success(let x), .success(let y)):
                material = .ecP256(x: x, y: y)
            case (.failure(let p), _), (_, .failure(let p)):
                return .failure(p)
            }
        default:
            return .failure(.unknownKeyType)
        }
        let key = JWK(kid: kid, use: use, alg: alg, issuer: issuer, material: material)
        if let problem = key.problem { return .failure(problem) }
        return .success(key)
    }

    /// An optional string member; JSON null counts as absent.
    private static func text(_ object: [String: JSONValue], _ name: String) -> Result<String?, JWKProblem> {
        guard let member = object[name], member != .null else { return .success(nil) }
        guard let value = member.stringValue else { return .failure(.badMember(name)) }
        return .success(value)
    }

    /// A required base64url member (strict alphabet, no padding, canonical), not empty.
    private static func bytes(_ object: [String: JSONValue], _ name: String) -> Result<[UInt8], JWKProblem> {
        guard let member = object[name] else { return .failure(.missingMember(name)) }
        guard let text = member.stringValue, let decoded = Base64.urlDecode(text), !decoded.isEmpty else {
            return .failure(.badMember(name))
        }
        return .success(decoded)
    }
}
