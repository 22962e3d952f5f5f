/// Why an ID token was refused. `code` is stable (tests and the attack suite assert on it, the
/// syslog line names it); `detail` adds a short human reason without any token content.
public struct TokenRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case malformed            // not three base64url segments, bad JSON, oversized
        case tooLarge
        case algorithmNotAllowed  // none, HS*, anything off the allow-list
        case criticalHeader       // `crit` present
        case unknownKid           // no key with that kid (caller may refresh keys once)
        case keyUnusable          // key too short, wrong type, `use` not sig, alg mismatch
        case badSignature
        case issuerMismatch
        case tenantMismatch
        case audienceMismatch
        case expired
        case notYetValid          // nbf / iat in the future beyond skew
        case missingClaim
        case badClaim             // a claim of the wrong JSON type
    }

    public var code: Code
    public var detail: String

    public init(_ code: Code, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? code.rawValue : "\(code.rawValue): \(detail)" }

    /// Equality on the code only, so tests state the reason, not its wording.
    public static func == (a: TokenRejection, b: TokenRejection) -> Bool { a.code == b.code }
}
