/// Which claims of a verified ID token may be used to find the local account (nOAuth-safe).
///
/// `email`, `preferred_username` and `upn` are mutable, and in multi-tenant setups an attacker
/// can set them in their own tenant ("nOAuth"); at many OIDC providers users edit them
/// themselves. Trust comes only from the claim's own verification, never from its value:
/// - A token whose `tid` is not the configured tenant never maps, whatever it says (azure).
///   The token validator refuses it first; this is the second lock on the same door.
/// - azure: `upn` and `preferred_username` are used because the tenant is pinned and its admins
///   control them; `email` only when Entra says the domain owner verified it (`xms_edov` is JSON
///   `true`).
/// - oidc (the issuer is pinned by idp.url, but its users may choose their names): `email` only
///   with `email_verified` JSON `true` (not the string "true"); `preferred_username` only when the
///   admin opts in with `mapping.trust_preferred_username = yes`; `upn` (an Entra claim) never.
/// - `mapping.allowed_domains` never makes a claim trusted: it only narrows which address
///   domains may map (IdentityMapper), after this.
/// - Guests (an `idp` claim naming another identity provider, or `#EXT#` in the UPN) do not
///   map unless `mapping.allow_guests = yes`: their names are set in another organisation.
public enum ClaimTrust {
    public struct TrustedClaim: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public struct Evaluation: Sendable, Equatable {
        /// Claims usable for mapping, in the configured order.
        public var trusted: [TrustedClaim]
        /// Why other present claims were skipped, for the admin line ("email: not verified").
        public var skipped: [String]
    }

    public static func evaluate(_ identity: VerifiedIdentity, config: JCFedConfig) -> Result<Evaluation, IdentityMapper.Rejection> {
        if config.idp.type == .azure {
            guard let pinned = config.idp.tenantID else {
                return .failure(.init(.noTenant, "idp.url names no tenant id; no identity can be trusted"))
            }
            guard let tid = identity.tid, tid.lowercased() == pinned else {
                return .failure(.init(.otherTenant,
                                      "the token is from tenant \(SafeText.value(identity.tid)), not the configured tenant \(pinned)"))
            }
        }
        if isGuest(identity) && !config.mapping.allowGuests {
            return .failure(.init(.guest,
                                  "the identity is a guest from \(identity.idp.map { SafeText.value($0) } ?? "another organisation") (mapping.allow_guests = no)"))
        }
        var trusted: [TrustedClaim] = []
        var skipped: [String] = []
        for name in config.mapping.claims {
            guard let value = identity.claim(name), !value.isEmpty else { continue }
            if let why = distrust(name, identity: identity, config: config) {
                skipped.append("\(name): \(why)")
            } else {
                trusted.append(TrustedClaim(name: name, value: value))
            }
        }
        return .success(Evaluation(trusted: trusted, skipped: skipped))
    }

    /// Why the claim `name` is not trusted, or nil when it is (the tenant was checked before).
    static func distrust(_ name: String, identity: VerifiedIdentity, config: JCFedConfig) -> String? {
        switch (config.idp.type, name) {
        case (.azure, "email"):
            return identity.emailDomainVerified ? nil : "domain not verified (xms_edov is not true)"
        case (.azure, _):
            return nil  // upn, preferred_username: set by the pinned tenant's admins
        case (.oidc, "email"):
            return identity.emailVerified ? nil : "not verified (email_verified is not true)"
        case (.oidc, "preferred_username"):
            return config.mapping.trustPreferredUsername
                ? nil : "chosen by the user at an OIDC provider (mapping.trust_preferred_username = no)"
        case (.oidc, _):
            return "not a verified claim of an OIDC provider"
        }
    }

    /// A B2B guest: Entra sets `idp` to the user's home identity provider (another tenant's
    /// issuer, live.com, google.com, mail); a guest's UPN carries `#EXT#`.
    public static func isGuest(_ identity: VerifiedIdentity) -> Bool {
        if let idp = identity.idp, !idp.isEmpty, idp != identity.issuer { return true }
        for v in [identity.upn, identity.preferredUsername] {
            if let s = v, s.uppercased().containsBytes("#EXT#") { return true }
        }
        return false
    }
}
