/// Validates a compact JWS ID token against a ValidationContext: the JWS rules of RFC 7515 and the
/// JWT best current practice of RFC 8725 (algorithm pinned per provider, no `none`, no key from the
/// token itself, `crit` refused), then the ID token claims of OpenID Connect Core §3.1.3.7 (issuer,
/// audience, expiry) and Entra's `tid`. Each rule is its own policy in
/// Token/Policies. Order: size, shape, algorithm, `crit`, key, signature, and only then the
/// claims (tenant, issuer, audience, lifetime, identity claims): nothing the token says about
/// itself is believed before its signature has been checked with a configured key.
public enum TokenValidator {
    /// The claim rules, in the order they run; IdentityPolicy comes last and makes the
    /// VerifiedIdentity (its check and its result are one pass over the claims).
    public static let claimPolicies: [ClaimPolicy] = [
        TenantPolicy(), IssuerPolicy(), AudiencePolicy(), LifetimePolicy(),
    ]

    /// `blocks`: SIMD for the base64url (the module's edge gives one; see Base64URLBlockDecoder).
    public static func validate(_ token: String, context: ValidationContext, verifier: SignatureVerifier,
                                blocks: Base64URLBlockDecoder? = nil) -> Result<VerifiedIdentity, TokenRejection> {
        let jws: CompactJWS
        switch CompactJWS.parse(token, maxBytes: context.maxTokenBytes, blocks: blocks) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let parsed): jws = parsed
        }
        let algorithm: JWSAlgorithm
        switch AlgorithmPolicy.algorithm(of: jws.header, allowed: context.allowedAlgorithms) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let chosen): algorithm = chosen
        }
        if let rejection = CriticalHeaderPolicy.check(jws.header) { return .failure(rejection) }
        let key: JWK
        switch KeySelection.key(for: jws.header, algorithm: algorithm, keys: context.keys) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let selected): key = selected
        }
        if let rejection = SignaturePolicy.check(jws, algorithm: algorithm, key: key, verifier: verifier) {
            return .failure(rejection)
        }
        let claims = jws.payload
        // `claimPolicies`, called directly: through the array each call copied, opened and
        // destroyed an existential (about 3 % of a validation's own time; bench/results.md,
        // row 4). claimPoliciesRunInOrder checks that these are the list, in its order.
        if let rejection = TenantPolicy().check(claims, key: key, context: context)
            ?? IssuerPolicy().check(claims, key: key, context: context)
            ?? AudiencePolicy().check(claims, key: key, context: context)
            ?? LifetimePolicy().check(claims, key: key, context: context) {
            return .failure(rejection)
        }
        return IdentityPolicy.identity(from: claims, context: context)
    }
}
