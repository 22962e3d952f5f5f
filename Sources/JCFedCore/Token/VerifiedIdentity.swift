/// What a fully validated ID token says about the person. Only the token validator makes these.
public struct VerifiedIdentity: Sendable, Equatable {
    public var issuer: String
    /// Tenant id (Entra `tid`); nil for generic OIDC providers without one.
    public var tid: String?
    /// Immutable object id (Entra `oid`); for generic OIDC, `sub`.
    public var oid: String
    public var sub: String
    public var upn: String?
    public var preferredUsername: String?
    public var email: String?
    /// Entra `xms_edov`: the email domain's owner is verified.
    public var emailDomainVerified: Bool
    /// OIDC `email_verified`: the provider verified the address (JSON `true` only).
    public var emailVerified: Bool
    public var name: String?
    /// The token's `groups`, read into Strings when asked for (ClaimStrings says why).
    public var groups: [String] {
        get { groupClaim.strings }
        set { groupClaim = ClaimStrings(newValue) }
    }
    private var groupClaim: ClaimStrings
    /// Present for guests (the home IdP of a B2B user).
    public var idp: String?
    public var expiresAt: Int64

    public init(issuer: String, tid: String?, oid: String, sub: String, upn: String? = nil,
                preferredUsername: String? = nil, email: String? = nil, emailDomainVerified: Bool = false,
                emailVerified: Bool = false, name: String? = nil, groups: [String] = [], idp: String? = nil, expiresAt: Int64 = 0) {
        self.init(issuer: issuer, tid: tid, oid: oid, sub: sub, upn: upn, preferredUsername: preferredUsername,
                  email: email, emailDomainVerified: emailDomainVerified, emailVerified: emailVerified, name: name,
                  groupClaim: ClaimStrings(groups), idp: idp, expiresAt: expiresAt)
    }

    /// IdentityPolicy: `groups` as the token holds it.
    init(issuer: String, tid: String?, oid: String, sub: String, upn: String?, preferredUsername: String?,
         email: String?, emailDomainVerified: Bool, emailVerified: Bool, name: String?, groupClaim: ClaimStrings,
         idp: String?, expiresAt: Int64) {
        self.issuer = issuer
        self.tid = tid
        self.oid = oid
        self.sub = sub
        self.upn = upn
        self.preferredUsername = preferredUsername
        self.email = email
        self.emailDomainVerified = emailDomainVerified
        self.emailVerified = emailVerified
        self.name = name
        self.groupClaim = groupClaim
        self.idp = idp
        self.expiresAt = expiresAt
    }

    /// The value of a mapping claim by its configured name.
    public func claim(_ name: String) -> String? {
        switch name {
        case "upn": return upn
        case "preferred_username": return preferredUsername
        case "email": return email
        default: return nil
        }
    }
}
