/// Which claims of a verified ID token may be used to find the local account (nOAuth-safe).
///
/// `email`, `preferred_username` and `upn` are mutable, and in multi-tenant setups an attacker
/// can set them in their own tenant ("nOAuth"). So:
/// - A token whose `tid` is not the configured tenant never maps, whatever it says (azure).
///   The token validator refuses it first; this is the second lock on the same door.
/// - `upn` and `preferred_username` are used only under that pinned tenant,
///   whose admins control them. For `idp.type = oidc` there is no tenant: the issuer is pinned
///   by idp.url and plays that role.
/// - `email` is used only when Entra says the domain owner verified it (`xms_edov: true`), or
///   when its domain is on the admin's `mapping.allowed_domains`.
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
                return .failure(.init("no-tenant", "idp.url names no tenant id; no identity can be trusted"))
            }
            guard let tid = identity.tid, tid.lowercased() == pinned else {
                return .failure(.init("other-tenant",
                                      "the token is from tenant \(identity.tid ?? "(none)"), not the configured tenant \(pinned)"))
            }
        }
        if isGuest(identity) && !config.mapping.allowGuests {
            return .failure(.init("guest",
                                  "the identity is a guest from \(identity.idp ?? "another organisation") (mapping.allow_guests = no)"))
        }
        var trusted: [TrustedClaim] = []
        var skipped: [String] = []
        for name in config.mapping.claims {
            guard let value = identity.claim(name), !value.isEmpty else { continue }
            switch name {
            case "email":
                if identity.emailDomainVerified {
                    trusted.append(TrustedClaim(name: name, value: value))
                } else if let key = IdentifierKey.address(value), let domain = IdentifierKey.domain(ofKey: key),
                          config.mapping.allowedDomains.contains(domain) {
                    trusted.append(TrustedClaim(name: name, value: value))
                } else {
                    skipped.append("email: domain not verified (no xms_edov) and not in allowed_domains")
                }
            default:
                // upn, preferred_username: the tenant (or oidc issuer) was checked above.
                trusted.append(TrustedClaim(name: name, value: value))
            }
        }
        return .success(Evaluation(trusted: trusted, skipped: skipped))
    }

    /// A B2B guest: Entra sets `idp` to the user's home identity provider (another tenant's
    /// issuer, live.com, google.com, mail); a guest's UPN carries `#EXT#`.
    public static func isGuest(_ identity: VerifiedIdentity) -> Bool {
        if let idp = identity.idp, !idp.isEmpty, idp != identity.issuer { return true }
        for v in [identity.upn, identity.preferredUsername] {
            if let s = v, s.uppercased().contains("#EXT#") { return true }
        }
        return false
    }
}
