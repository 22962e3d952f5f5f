/// Why the provider's metadata or keys could not be had. `isUnavailable` separates "the IdP
/// could not be reached" (PAM_AUTHINFO_UNAVAIL) from problems that retrying will not fix and an
/// admin must (PAM_SERVICE_ERR).
public enum DiscoveryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// azure url whose last segment is not a tenant GUID (common, organizations, consumers, a domain).
    case tenantRequired(String)
    /// DNS, connect, TLS, timeout, oversize.
    case unreachable(TransportError)
    /// HTTP 5xx or 429.
    case serverError(Int)
    /// Any other non-200 status (a wrong url, an unknown tenant).
    case httpStatus(Int)
    /// Not JSON, or not the expected shape.
    case malformed(String)
    /// A required member is missing (e.g. no device_authorization_endpoint: no device flow).
    case missing(String)
    /// An endpoint that is not an https URL.
    case notHTTPS(String)
    case issuerMismatch(expected: String, found: String)
    /// type = azure: an endpoint that is not on the authority's host and port (`host`, as
    /// `Discovery.authority(of:)` gives it).
    case offAuthorityHost(field: String, url: String, host: String)
    /// The provider signs with nothing we verify.
    case noUsableAlgorithm
    /// The JWK Set could not be used.
    case keys(String)
    /// The login deadline left no time for the request.
    case noTimeLeft

    public var isUnavailable: Bool {
        switch self {
        case .unreachable, .serverError, .malformed, .keys, .noTimeLeft: return true
        case .tenantRequired, .httpStatus, .missing, .notHTTPS, .issuerMismatch, .offAuthorityHost, .noUsableAlgorithm:
            return false
        }
    }

    /// What the failure means for the login (the catalogue in Outcome.swift): an unreachable IdP
    /// or one that throttles is PAM_AUTHINFO_UNAVAIL, the rest an administrator must fix.
    public var reason: OutcomeReason {
        if case .unreachable(.outOfMemory) = self { return .outOfMemory }
        if case .serverError(429) = self { return .idpThrottled }
        if isUnavailable { return .idpUnavailable }
        if case .tenantRequired = self { return .multiTenantAuthority }
        return .discovery
    }

    public var description: String {
        switch self {
        case .tenantRequired(let t):
            return "'\(SafeText.field(t))' is not a directory (tenant) id; device login needs a single pinned tenant GUID"
        case .unreachable(let e): return "identity provider unreachable: \(e.description)"
        case .serverError(let s): return "identity provider answered HTTP \(s)"
        case .httpStatus(let s): return "identity provider answered HTTP \(s) (is idp.url right?)"
        case .malformed(let why): return "discovery document unusable: \(why)"
        case .missing(let field): return "discovery document has no \(field)"
        case .notHTTPS(let field): return "discovery document's \(field) is not an https URL"
        case .issuerMismatch(let expected, let found):
            return "discovery issuer '\(SafeText.field(found, max: 200))' is not '\(SafeText.field(expected, max: 200))'"
        case .offAuthorityHost(let field, let url, let host):
            return "discovery document's \(field) '\(SafeText.field(url, max: 200))' is not on the authority's host '\(SafeText.field(host, max: 200))' (type = azure)"
        case .noUsableAlgorithm: return "the provider signs ID tokens with no algorithm jcfed accepts"
        case .keys(let why): return "signing keys unusable: \(why)"
        case .noTimeLeft: return "no time left before login_timeout"
        }
    }
}
