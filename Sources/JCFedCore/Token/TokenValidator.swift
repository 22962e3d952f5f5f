/// Validates a compact JWS ID token against a ValidationContext (recipe in
/// shared/reference/entra-device-flow.md): each rule is its own policy (see Token/Policies).
/// STUB: filled in by the token-validation work.
public enum TokenValidator {
    public static func validate(_ token: String, context: ValidationContext,
                                verifier: SignatureVerifier) -> Result<VerifiedIdentity, TokenRejection> {
        .failure(TokenRejection(.malformed, "validator not implemented"))
    }
}
