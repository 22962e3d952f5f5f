/// The JWS algorithms the verifier can check. Anything else (none, HS*, ES384, ...) has no case
/// here, so it cannot be selected by a token header.
public enum JWSAlgorithm: String, Sendable, CaseIterable {
    case rs256 = "RS256"
    case rs384 = "RS384"
    case rs512 = "RS512"
    case ps256 = "PS256"
    case es256 = "ES256"

    /// Entra signs ID tokens with RS256 only.
    public static let entraAllowList: Set<JWSAlgorithm> = [.rs256]
    /// For `type = oidc`.
    public static let oidcAllowList: Set<JWSAlgorithm> = [.rs256, .rs384, .rs512, .ps256, .es256]

    public var keyType: String { self == .es256 ? "EC" : "RSA" }
}
