/// What a fully validated ID token says about the person. Only the token validator makes these
/// (and tests and tools, from values).
///
/// One made by the validator keeps the token's claims and builds each String when it is asked
/// for: IdentityPolicy has checked every claim read here (type, presence, non-empty), so reading
/// cannot fail, and a validation builds no String nobody reads (bench/results.md, row 4: the
/// identity's nine Strings, made and copied on every validation, were a sixth of its own cost).
/// A login reads a few of them once each. Setting a field turns the identity into values.
public struct VerifiedIdentity: Sendable, Equatable {
    /// Every field as a value.
    private struct Values: Sendable, Equatable {
        var issuer: String
        var tid: String?
        var oid: String
        var sub: String
        var upn: String?
        var preferredUsername: String?
        var email: String?
        var emailDomainVerified: Bool
        var emailVerified: Bool
        var name: String?
        var groupClaim: ClaimStrings
        var idp: String?
        var expiresAt: Int64
    }

    /// A validated token's claims; the scalars were read by IdentityPolicy.
    private struct TokenClaims: Sendable {
        let claims: JWTClaims
        /// Entra (a pinned tenant): `oid` is required; otherwise `sub` stands in for a missing one.
        let oidRequired: Bool
        let emailDomainVerified: Bool
        let emailVerified: Bool
        let expiresAt: Int64

        /// A string claim IdentityPolicy checked (a string or absent): nil when absent.
        func string(_ claim: JWTClaims.Name) -> String? {
            try? claims.string(claim)
        }

        // Each field's claim, named once: the getters below and `values` both read these.
        var issuer: String { string(.iss) ?? "" }
        var tid: String? { string(.tid) }
        var oid: String { oidRequired ? string(.oid) ?? "" : string(.oid) ?? sub }
        var sub: String { string(.sub) ?? "" }
        var upn: String? { string(.upn) }
        var preferredUsername: String? { string(.preferredUsername) }
        var email: String? { string(.email) }
        var name: String? { string(.name) }
        var groupClaim: ClaimStrings { (try? claims.stringList(.groups)) ?? ClaimStrings() }
        var idp: String? { string(.idp) }

        var values: Values {
            Values(issuer: issuer, tid: tid, oid: oid, sub: sub, upn: upn, preferredUsername: preferredUsername,
                   email: email, emailDomainVerified: emailDomainVerified, emailVerified: emailVerified,
                   name: name, groupClaim: groupClaim, idp: idp, expiresAt: expiresAt)
        }
    }

    private enum Source: Sendable {
        case values(Values)
        case token(TokenClaims)
    }

    private var source: Source

    private var values: Values {
        switch source {
        case .values(let values): return values
        case .token(let token): return token.values
        }
    }

    /// A field: from the values, or built from the token's claims.
    private func field<T>(_ fromValues: (Values) -> T, _ fromToken: (TokenClaims) -> T) -> T {
        switch source {
        case .values(let values): return fromValues(values)
        case .token(let token): return fromToken(token)
        }
    }

    /// Changes a field (the identity becomes values).
    private mutating func change(_ body: (inout Values) -> Void) {
        var values = self.values
        body(&values)
        source = .values(values)
    }

    public var issuer: String {
        get { field({ $0.issuer }, { $0.issuer }) }
        set { change { $0.issuer = newValue } }
    }
    /// Tenant id (Entra `tid`); nil for generic OIDC providers without one.
    public var tid: String? {
        get { field({ $0.tid }, { $0.tid }) }
        set { change { $0.tid = newValue } }
    }
    /// Immutable object id (Entra `oid`); for generic OIDC, `sub`.
    public var oid: String {
        get { field({ $0.oid }, { $0.oid }) }
        set { change { $0.oid = newValue } }
    }
    public var sub: String {
        get { field({ $0.sub }, { $0.sub }) }
        set { change { $0.sub = newValue } }
    }
    public var upn: String? {
        get { field({ $0.upn }, { $0.upn }) }
        set { change { $0.upn = newValue } }
    }
    public var preferredUsername: String? {
        get { field({ $0.preferredUsername }, { $0.preferredUsername }) }
        set { change { $0.preferredUsername = newValue } }
    }
    public var email: String? {
        get { field({ $0.email }, { $0.email }) }
        set { change { $0.email = newValue } }
    }
    /// Entra `xms_edov`: the email domain's owner is verified.
    public var emailDomainVerified: Bool {
        get { field({ $0.emailDomainVerified }, { $0.emailDomainVerified }) }
        set { change { $0.emailDomainVerified = newValue } }
    }
    /// OIDC `email_verified`: the provider verified the address (JSON `true` only).
    public var emailVerified: Bool {
        get { field({ $0.emailVerified }, { $0.emailVerified }) }
        set { change { $0.emailVerified = newValue } }
    }
    public var name: String? {
        get { field({ $0.name }, { $0.name }) }
        set { change { $0.name = newValue } }
    }
    /// The token's `groups`, read into Strings when asked for (ClaimStrings says why).
    public var groups: [String] {
        get { field({ $0.groupClaim }, { $0.groupClaim }).strings }
        set { change { $0.groupClaim = ClaimStrings(newValue) } }
    }
    /// Present for guests (the home IdP of a B2B user).
    public var idp: String? {
        get { field({ $0.idp }, { $0.idp }) }
        set { change { $0.idp = newValue } }
    }
    public var expiresAt: Int64 {
        get { field({ $0.expiresAt }, { $0.expiresAt }) }
        set { change { $0.expiresAt = newValue } }
    }

    public init(issuer: String, tid: String?, oid: String, sub: String, upn: String? = nil,
                preferredUsername: String? = nil, email: String? = nil, emailDomainVerified: Bool = false,
                emailVerified: Bool = false, name: String? = nil, groups: [String] = [], idp: String? = nil, expiresAt: Int64 = 0) {
        source = .values(Values(issuer: issuer, tid: tid, oid: oid, sub: sub, upn: upn, preferredUsername: preferredUsername,
                                email: email, emailDomainVerified: emailDomainVerified, emailVerified: emailVerified,
                                name: name, groupClaim: ClaimStrings(groups), idp: idp, expiresAt: expiresAt))
    }

    /// IdentityPolicy, after it has checked every claim read above.
    init(checkedClaims claims: JWTClaims, oidRequired: Bool, emailDomainVerified: Bool, emailVerified: Bool,
         expiresAt: Int64) {
        source = .token(TokenClaims(claims: claims, oidRequired: oidRequired, emailDomainVerified: emailDomainVerified,
                                    emailVerified: emailVerified, expiresAt: expiresAt))
    }

    public static func == (a: VerifiedIdentity, b: VerifiedIdentity) -> Bool {
        a.values == b.values
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
