/// The parts of an OpenID Provider's discovery document the login uses, checked: all endpoints
/// https, and the issuer bound to the configuration (see `Discovery`).
public struct ProviderMetadata: Sendable, Equatable {
    /// `issuer` as the document states it (Entra's multi-tenant form holds `{tenantid}`).
    public var issuer: String
    /// The issuer tokens must carry: `issuer` with `{tenantid}` replaced by the pinned tenant.
    public var expectedTokenIssuer: String
    public var deviceAuthorizationEndpoint: String
    public var tokenEndpoint: String
    public var jwksURI: String
    /// `id_token_signing_alg_values_supported`, empty when the document leaves it out.
    public var signingAlgorithms: [String]

    public init(issuer: String, expectedTokenIssuer: String, deviceAuthorizationEndpoint: String,
                tokenEndpoint: String, jwksURI: String, signingAlgorithms: [String] = []) {
        self.issuer = issuer
        self.expectedTokenIssuer = expectedTokenIssuer
        self.deviceAuthorizationEndpoint = deviceAuthorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.jwksURI = jwksURI
        self.signingAlgorithms = signingAlgorithms
    }
}
