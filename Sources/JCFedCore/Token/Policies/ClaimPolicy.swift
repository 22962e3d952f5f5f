/// One rule over the claims of a token whose signature has already been verified with `key`.
/// Policies read time only from the context, so tests fix it.
public protocol ClaimPolicy: Sendable {
    /// nil when the token passes this rule.
    func check(_ claims: JWTClaims, key: JWK, context: ValidationContext) -> TokenRejection?
}
