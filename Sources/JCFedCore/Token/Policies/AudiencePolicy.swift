/// OIDC Core §3.1.3.7: `aud` is our client id, or an array that contains it. An array with other
/// audiences requires `azp` to be our client id; an `azp` that is present must be our client id.
/// A GUID client id compares without regard to the case of its hex digits (GUID.sameID).
public struct AudiencePolicy: ClaimPolicy {
    public init() {}

    public func check(_ claims: JWTClaims, key: JWK, context: ValidationContext) -> TokenRejection? {
        let client = context.clientID
        // The usual token has one audience, a string: compared as bytes, no String built when
        // it is ours. Anything that is not a string is read as a JSON value below.
        switch claims.optionalText(.aud) {
        case .success(nil):
            return TokenRejection(.missingClaim, "aud is missing")
        case .success(let single?):
            guard AudiencePolicy.names(single, client) else {
                return TokenRejection(.audienceMismatch, "aud does not name this client")
            }
            return AudiencePolicy.checkAuthorizedParty(claims, client: client, otherAudiences: false)
        case .failure:
            break
        }
        guard case .array(let list)? = claims[.aud] else {
            return TokenRejection(.badClaim, "aud is neither a string nor an array")
        }
        var audiences: [String] = []
        for item in list {
            guard let text = item.stringValue else { return TokenRejection(.badClaim, "aud holds a non-string") }
            audiences.append(text)
        }
        guard audiences.contains(where: { GUID.sameID($0, client) }) else {
            return TokenRejection(.audienceMismatch, "aud does not name this client")
        }
        return AudiencePolicy.checkAuthorizedParty(claims, client: client,
                                                   otherAudiences: audiences.contains(where: { !GUID.sameID($0, client) }))
    }

    /// `azp`: a string if present; required when `aud` names other audiences; our client if present.
    private static func checkAuthorizedParty(_ claims: JWTClaims, client: String,
                                             otherAudiences: Bool) -> TokenRejection? {
        let azp: ClaimText?
        switch claims.optionalText(.azp) {
        case .failure(let rejection): return rejection
        case .success(let value): azp = value
        }
        if otherAudiences && azp == nil {
            return TokenRejection(.audienceMismatch, "aud names other audiences and azp is missing")
        }
        if let azp = azp, !names(azp, client) {
            return TokenRejection(.audienceMismatch, "azp is another client")
        }
        return nil
    }

    /// GUID.sameID(text, client), without building the String when the bytes are the client's.
    private static func names(_ text: ClaimText, _ client: String) -> Bool {
        text.isSame(as: client) || GUID.sameID(text.string, client)
    }
}
