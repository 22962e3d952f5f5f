/// Picks the configured key that checks this token. Only the context's keys are candidates:
/// `jku`, `x5u`, `jwk` and `x5c` in the header are never read (RFC 8725 §3.10), so a token
/// cannot bring its own key. An unknown `kid` is its own code so the caller may refresh the
/// key set once (rate-limited) and try again.
public enum KeySelection {
    public static func key(for header: [String: JSONValue], algorithm: JWSAlgorithm,
                           keys: [JWK]) -> Result<JWK, TokenRejection> {
        let candidates: [JWK]
        switch header["kid"] {
        case .string(let kid)?:
            candidates = keys.filter { $0.kid == kid }
            guard !candidates.isEmpty else {
                return .failure(TokenRejection(.unknownKid, "no configured key has the token's kid"))
            }
        case nil:
            // Without a kid only a single-key set is unambiguous (some generic IdPs omit it).
            guard keys.count == 1 else {
                return .failure(TokenRejection(.unknownKid, "token has no kid and the key set has \(keys.count) keys"))
            }
            candidates = keys
        default:
            return .failure(TokenRejection(.malformed, "kid is not a string"))
        }
        var reason = "key type or alg does not fit \(algorithm.rawValue)"
        for key in candidates {
            if let problem = key.problem {
                reason = problem.description
            } else if key.fits(algorithm) {
                return .success(key)
            }
        }
        return .failure(TokenRejection(.keyUnusable, reason))
    }
}
