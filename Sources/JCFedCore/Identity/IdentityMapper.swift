/// Turns a verified identity into exactly one local account name.
/// STUB: completed by the identity work (directory, claim trust, guests, fallback).
public enum IdentityMapper {
    public struct Rejection: Error, Equatable, Sendable {
        public var reason: String
        public var detail: String
        public init(_ reason: String, _ detail: String) {
            self.reason = reason
            self.detail = detail
        }
    }

    /// The local account name the identity maps to.
    public static func map(_ identity: VerifiedIdentity, config: JCFedConfig,
                           directory: Directory?) -> Result<String, Rejection> {
        for claim in config.mapping.claims {
            guard let value = identity.claim(claim), !value.isEmpty else { continue }
            switch config.mapping.fallback {
            case .none: return .failure(Rejection("no-mapping", "no directory and fallback = none"))
            case .full: return .success(value.lowercased())
            case .localpart:
                let parts = value.lowercased().split(separator: "@", omittingEmptySubsequences: false)
                guard parts.count == 2 else { return .failure(Rejection("bad-claim", "\(claim) is not user@domain")) }
                let domain = String(parts[1])
                if !config.mapping.allowedDomains.isEmpty && !config.mapping.allowedDomains.contains(domain) {
                    return .failure(Rejection("domain-not-allowed", "domain \(domain) is not in allowed_domains"))
                }
                return .success(String(parts[0]))
            }
        }
        return .failure(Rejection("no-claim", "the token carries none of the configured claims"))
    }
}
