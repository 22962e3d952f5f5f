/// Entra: `tid` must be the pinned tenant. Runs before the issuer check so the issuer template
/// `{tenantid}` is only ever filled with the pinned tenant. Generic OIDC (no pinned tenant): no-op.
/// GUIDs compare without regard to the case of their hex digits (GUID.sameID).
public struct TenantPolicy: ClaimPolicy {
    public init() {}

    public func check(_ claims: JWTClaims, key: JWK, context: ValidationContext) -> TokenRejection? {
        guard let pinned = context.tenantID else { return nil }
        switch claims.requiredString("tid") {
        case .failure(let rejection): return rejection
        case .success(let tid):
            return GUID.sameID(tid, pinned) ? nil : TokenRejection(.tenantMismatch, "tid is not the configured tenant")
        }
    }
}
