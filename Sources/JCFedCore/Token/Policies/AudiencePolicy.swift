/// OIDC Core §3.1.3.7: `aud` is our client id, or an array that contains it. An array with other
/// audiences requires `azp` to be our client id; an `azp` that is present must be our client id.
/// A GUID client id compares without regard to the case of its hex digits (GUID.sameID).
public struct AudiencePolicy: ClaimPolicy {
    public init() {}

    public func check(_ claims: JWTClaims, key: JWK, context: ValidationContext) -> TokenRejection? {
        let client = context.clientID
        let audiences: [String]
        switch claims[.aud] {
        case nil:
            return TokenRejection(.missingClaim, "aud is missing")
        case .string(let single)?:
            audiences = [single]
        case .array(let list)?:
            var strings: [String] = []
            for item in list {
                guard let text = item.stringValue else { return TokenRejection(.badClaim, "aud holds a non-string") }
                strings.append(text)
            }
            audiences = strings
        default:
            return TokenRejection(.badClaim, "aud is neither a string nor an array")
        }
        guard audiences.contains(where: { GUID.sameID($0, client) }) else {
            return TokenRejection(.audienceMismatch, "aud does not name this client")
        }
        let azp: String?
        switch claims.optionalString(.azp) {
        case .failure(let rejection): return rejection
        case .success(let value): azp = value
        }
        if audiences.contains(where: { !GUID.sameID($0, client) }) && azp == nil {
            return TokenRejection(.audienceMismatch, "aud names other audiences and azp is missing")
        }
        if let azp = azp, !GUID.sameID(azp, client) {
            return TokenRejection(.audienceMismatch, "azp is another client")
        }
        return nil
    }
}
