/// The identity claims: `sub` always, `oid` for Entra (the stable key with `tid`), every other
/// claim we read checked for its JSON type. `xms_edov` and `email_verified` count only as JSON
/// `true`; any other value (false, "true", 1, absent) means not verified.
public struct ClaimsPolicy: ClaimPolicy {
    public init() {}

    public func check(_ claims: JWTClaims, key: JWK, context: ValidationContext) -> TokenRejection? {
        if case .failure(let rejection) = ClaimsPolicy.identity(from: claims, context: context) { return rejection }
        return nil
    }

    /// The verified identity the claims describe (call only after every policy passed).
    public static func identity(from claims: JWTClaims,
                                context: ValidationContext) -> Result<VerifiedIdentity, TokenRejection> {
        do {
            let sub = try claims.requiredString("sub").get()
            let oid = context.tenantID == nil
                ? try claims.optionalString("oid").get() ?? sub
                : try claims.requiredString("oid").get()
            guard !oid.isEmpty else { return .failure(TokenRejection(.badClaim, "oid is empty")) }
            var groups: [String] = []
            if let value = claims["groups"] {
                guard let list = value.arrayValue else { return .failure(TokenRejection(.badClaim, "groups is not an array")) }
                for item in list {
                    guard let group = item.stringValue else {
                        return .failure(TokenRejection(.badClaim, "groups holds a non-string"))
                    }
                    groups.append(group)
                }
            }
            return .success(VerifiedIdentity(
                issuer: try claims.requiredString("iss").get(),
                tid: try claims.optionalString("tid").get(),
                oid: oid,
                sub: sub,
                upn: try claims.optionalString("upn").get(),
                preferredUsername: try claims.optionalString("preferred_username").get(),
                email: try claims.optionalString("email").get(),
                emailDomainVerified: claims["xms_edov"] == .bool(true),
                emailVerified: claims["email_verified"] == .bool(true),
                name: try claims.optionalString("name").get(),
                groups: groups,
                idp: try claims.optionalString("idp").get(),
                expiresAt: try claims.numericDate("exp").get() ?? 0))
        } catch {
            // Every accessor throws TokenRejection (typed throws), so this is the claim's reason.
            return .failure(error)
        }
    }
}
