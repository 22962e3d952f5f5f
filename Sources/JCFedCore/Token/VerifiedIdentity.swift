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
    public var groups: [String]
    /// Present for guests (the home IdP of a B2B user).
    public var idp: String?
    public var expiresAt: Int64

    public init(issuer: String, tid: String?, oid: String, sub: String, upn: String? = nil,
                preferredUsername: String? = nil, email: String? = nil, emailDomainVerified: Bool = false,
                emailVerified: Bool = false, name: String? = nil, groups: [String] = [], idp: String? = nil, expiresAt: Int64 = 0) {
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
        self.groups = groups
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
