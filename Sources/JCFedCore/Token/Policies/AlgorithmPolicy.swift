/// RFC 8725 §3.1: the algorithm comes from our allow-list, never from the token. `none` in any
/// spelling, HS* (which would turn the public key into an HMAC secret) and every name without a
/// `JWSAlgorithm` case are refused; so is a known algorithm the context does not allow.
public enum AlgorithmPolicy {
    private static let known = JWSAlgorithm.allCases

    public static func algorithm(of header: JWSHeader,
                                 allowed: Set<JWSAlgorithm>) -> Result<JWSAlgorithm, TokenRejection> {
        guard let name = header.text(.alg) else {
            return .failure(TokenRejection(.algorithmNotAllowed, "alg is missing or not a string"))
        }
        // Exact spelling only: "rs256" is not RS256. (JWSAlgorithm(rawValue:) by comparing the
        // header's bytes with each name, as String's == would, without building a String.)
        guard let algorithm = known.first(where: { name.isSame(as: $0.rawValue) }) else {
            return .failure(TokenRejection(.algorithmNotAllowed, "alg is not a supported signature algorithm"))
        }
        // Same answer as `allowed.contains`, without hashing the raw value String (a few members).
        guard allowed.contains(where: { $0 == algorithm }) else {
            return .failure(TokenRejection(.algorithmNotAllowed, "alg \(algorithm.rawValue) is not allowed for this IdP"))
        }
        return .success(algorithm)
    }
}
