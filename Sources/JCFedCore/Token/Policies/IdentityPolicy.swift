/// The identity claims: `sub` always, `oid` for Entra (the stable key with `tid`), every other
/// claim we read checked for its JSON type. `xms_edov` and `email_verified` count only as JSON
/// `true`; any other value (false, "true", 1, absent) means not verified.
///
/// The last rule: TokenValidator calls `identity` once, after the other ClaimPolicy rules, and
/// its failure is the token's rejection. (`check` is the same rule as a ClaimPolicy.)
public struct IdentityPolicy: ClaimPolicy {
    public init() {}

    public func check(_ claims: JWTClaims, key: JWK, context: ValidationContext) -> TokenRejection? {
        if case .failure(let rejection) = IdentityPolicy.identity(from: claims, context: context) { return rejection }
        return nil
    }

    /// The verified identity the claims describe (call only after every other policy passed).
    public static func identity(from claims: JWTClaims,
                                context: ValidationContext) -> Result<VerifiedIdentity, TokenRejection> {
        do {
            // Every claim the identity reads is checked here; none is read into a String
            // (VerifiedIdentity builds them when asked).
            try claims.checkNonEmptyText(.sub)
            let oidRequired = context.tenantID != nil
            if oidRequired {
                try claims.checkNonEmptyText(.oid)
            } else if try claims.textLength(.oid) == 0 {
                return .failure(TokenRejection(.badClaim, "oid is empty"))
            }
            // Checked, not read into Strings: the module never reads groups (ClaimStrings).
            _ = try claims.stringList(.groups)
            for claim in [JWTClaims.Name.upn, .preferredUsername, .email] { _ = try claims.textLength(claim) }
            try claims.checkNonEmptyText(.iss)
            for claim in [JWTClaims.Name.tid, .name, .idp] { _ = try claims.textLength(claim) }
            let expiresAt = try claims.numericDate(.exp).get() ?? 0
            return .success(VerifiedIdentity(checkedClaims: claims, oidRequired: oidRequired,
                                             emailDomainVerified: claims.isTrue(.xmsEdov),
                                             emailVerified: claims.isTrue(.emailVerified), expiresAt: expiresAt))
        } catch {
            // Every accessor throws TokenRejection (typed throws), so this is the claim's reason.
            return .failure(error)
        }
    }
}
