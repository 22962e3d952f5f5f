/// Picks the configured key that checks this token. Only the context's keys are candidates:
/// `jku`, `x5u`, `jwk` and `x5c` in the header are never read (RFC 8725 §3.10), so a token
/// cannot bring its own key. An unknown `kid` is its own code so the caller may refresh the
/// key set once (rate-limited) and try again.
public enum KeySelection {
    public static func key(for header: JWSHeader, algorithm: JWSAlgorithm,
                           keys: [JWK]) -> Result<JWK, TokenRejection> {
        let kid: ClaimText?
        if let named = header.text(.kid) {
            kid = named
        } else if !header.isPresent(.kid) {
            // Without a kid only a single-key set is unambiguous (some generic IdPs omit it).
            guard keys.count == 1 else {
                return .failure(TokenRejection(.unknownKid, "token has no kid and the key set has \(keys.count) keys"))
            }
            kid = nil
        } else {
            return .failure(TokenRejection(.malformed, "kid is not a string"))
        }
        // The candidates: the keys with that kid (or the only key), in the set's order; one pass
        // (the first usable candidate is the key; none with the kid at all is unknownKid).
        var reason: String?
        var named = false
        for key in keys where kid.map({ has(key, kid: $0) }) ?? true {
            named = true
            if let problem = key.problem {
                reason = problem.description
            } else if key.fits(algorithm) {
                return .success(key)
            }
        }
        guard named || kid == nil else {
            return .failure(TokenRejection(.unknownKid, "no configured key has the token's kid"))
        }
        return .failure(TokenRejection(.keyUnusable, reason ?? "key type or alg does not fit \(algorithm.rawValue)"))
    }

    /// Whether `key` has the token's `kid` (compared as the Strings' `==`; a key without one never does).
    private static func has(_ key: JWK, kid: ClaimText) -> Bool {
        guard let id = key.kid else { return false }
        return kid.isSame(as: id)
    }
}
