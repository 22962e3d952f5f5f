/// Entra: `tid` must be the pinned tenant. Runs before the issuer check so the issuer template
/// `{tenantid}` is only ever filled with the pinned tenant. Generic OIDC (no pinned tenant): no-op.
/// The configured tenant is lower-cased when the file is read (IdPSettings.tenantID), so an admin's
/// casing never matters; the token's `tid` must be Entra's canonical lowercase form exactly (Entra
/// never issues another, so an uppercase `tid` is refused as a tenant mismatch).
public struct TenantPolicy: ClaimPolicy {
    public init() {}

    public func check(_ claims: JWTClaims, key: JWK, context: ValidationContext) -> TokenRejection? {
        guard let pinned = context.tenantID else { return nil }
        switch claims.requiredText(.tid) {
        case .failure(let rejection): return rejection
        case .success(let tid):
            return tid.isSame(as: pinned) ? nil : TokenRejection(.tenantMismatch, "tid is not the configured tenant")
        }
    }
}
