/// Everything the token validator checks against, fixed before the token is looked at.
/// Time is a parameter: policies never read a clock.
public struct ValidationContext: Sendable {
    /// The issuer from discovery with `{tenantid}` already replaced by the pinned tenant.
    public var issuer: String
    /// The pinned tenant GUID (azure); nil for oidc.
    public var tenantID: String?
    public var clientID: String
    public var allowedAlgorithms: Set<JWSAlgorithm>
    public var keys: [JWK]
    public var now: Int64
    public var clockSkew: Int64
    /// Upper bound on the compact token's length.
    public var maxTokenBytes: Int

    public init(issuer: String, tenantID: String?, clientID: String, allowedAlgorithms: Set<JWSAlgorithm>,
                keys: [JWK], now: Int64, clockSkew: Int64, maxTokenBytes: Int = 16 * 1024) {
        self.issuer = issuer
        self.tenantID = tenantID
        self.clientID = clientID
        self.allowedAlgorithms = allowedAlgorithms
        self.keys = keys
        self.now = now
        self.clockSkew = clockSkew
        self.maxTokenBytes = maxTokenBytes
    }
}
