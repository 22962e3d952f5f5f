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
            let sub = try claims.nonEmptyString(.sub)
            let oid = context.tenantID == nil
                ? try claims.string(.oid) ?? sub
                : try claims.nonEmptyString(.oid)
            guard !oid.isEmpty else { return .failure(TokenRejection(.badClaim, "oid is empty")) }
            // Checked, not read into Strings: the module never reads groups (ClaimStrings).
            let groups = try claims.stringList(.groups) ?? ClaimStrings()
            // Entra's upn, preferred_username and email are usually the same address: built
            // once, and the same String returned for each claim that has exactly its bytes.
            let upn = try claims.text(.upn)?.string
            let preferredUsername = try claims.text(.preferredUsername)?.string(reusing: upn)
            let email = try claims.text(.email)?.string(reusing: upn, preferredUsername)
            return .success(VerifiedIdentity(
                // IssuerPolicy and TenantPolicy compared these with the configured Strings.
                issuer: try claims.nonEmptyText(.iss).string(reusing: context.issuer),
                tid: try claims.text(.tid)?.string(reusing: context.tenantID),
                oid: oid,
                sub: sub,
                upn: upn,
                preferredUsername: preferredUsername,
                email: email,
                emailDomainVerified: claims.isTrue(.xmsEdov),
                emailVerified: claims.isTrue(.emailVerified),
                name: try claims.string(.name),
                groupClaim: groups,
                idp: try claims.string(.idp),
                expiresAt: try claims.numericDate(.exp).get() ?? 0))
        } catch {
            // Every accessor throws TokenRejection (typed throws), so this is the claim's reason.
            return .failure(error)
        }
    }
}
