/// Typed access to the claims of a token. Only the claims a policy reads are kept (`Name`);
/// every other member of the payload is checked as JSON and dropped. Every accessor checks the
/// JSON type: a claim of the wrong type is `badClaim`, never coerced (`"exp":"9999999999"` is
/// not a number). JSON null is treated as absent.
public struct JWTClaims: Sendable {
    /// The claims the policies read.
    public enum Name: Int, CaseIterable, Sendable {
        case iss, sub, aud, azp, tid, oid, exp, nbf, iat, upn, preferredUsername, email, name,
             groups, idp, xmsEdov, emailVerified

        /// The claim's name in the token.
        public var text: String {
            switch self {
            case .iss: return "iss"
            case .sub: return "sub"
            case .aud: return "aud"
            case .azp: return "azp"
            case .tid: return "tid"
            case .oid: return "oid"
            case .exp: return "exp"
            case .nbf: return "nbf"
            case .iat: return "iat"
            case .upn: return "upn"
            case .preferredUsername: return "preferred_username"
            case .email: return "email"
            case .name: return "name"
            case .groups: return "groups"
            case .idp: return "idp"
            case .xmsEdov: return "xms_edov"
            case .emailVerified: return "email_verified"
            }
        }
    }

    /// The claim names, in `Name` order (what `JSONParser.members` looks for).
    static let wanted = JSONMemberNames(Name.allCases.map { $0.text })

    private let slots: [JSONValue?]

    /// From `JSONParser.members(wanted: JWTClaims.wanted)`.
    init(slots: [JSONValue?]) {
        self.slots = slots
    }

    /// From an already parsed object (tests, tools): the claims read, the rest ignored.
    public init(_ values: [String: JSONValue]) {
        slots = Name.allCases.map { values[$0.text] }
    }

    public subscript(_ claim: Name) -> JSONValue? {
        guard claim.rawValue < slots.count, let value = slots[claim.rawValue] else { return nil }
        if case .null = value { return nil }
        return value
    }

    /// By name; nil for a claim the policies do not read.
    public subscript(_ name: String) -> JSONValue? {
        guard let claim = Name.allCases.first(where: { $0.text == name }) else { return nil }
        return self[claim]
    }

    public func optionalString(_ claim: Name) -> Result<String?, TokenRejection> {
        guard let value = self[claim] else { return .success(nil) }
        guard case .string(let text) = value else {
            return .failure(TokenRejection(.badClaim, "\(claim.text) is not a string"))
        }
        return .success(text)
    }

    /// A present, non-empty string.
    public func requiredString(_ claim: Name) -> Result<String, TokenRejection> {
        switch optionalString(claim) {
        case .failure(let rejection): return .failure(rejection)
        case .success(nil): return .failure(TokenRejection(.missingClaim, "\(claim.text) is missing"))
        case .success(let text?):
            guard !text.isEmpty else { return .failure(TokenRejection(.badClaim, "\(claim.text) is empty")) }
            return .success(text)
        }
    }

    /// JSON `true` only (false, "true", 1 and absent are not).
    static func isTrue(_ value: JSONValue?) -> Bool {
        if case .bool(true)? = value { return true }
        return false
    }

    /// Latest NumericDate accepted: 9999-12-31T23:59:59Z. Anything later (1e300) is not a date.
    public static let maxNumericDate: Double = 253_402_300_799

    /// A NumericDate (RFC 7519 §2): a JSON number of seconds, fractions truncated.
    public func numericDate(_ claim: Name) -> Result<Int64?, TokenRejection> {
        guard let value = self[claim] else { return .success(nil) }
        guard case .number(let seconds) = value else {
            return .failure(TokenRejection(.badClaim, "\(claim.text) is not a number"))
        }
        guard seconds.isFinite, seconds >= 0, seconds <= JWTClaims.maxNumericDate else {
            return .failure(TokenRejection(.badClaim, "\(claim.text) is not a plausible time"))
        }
        return .success(Int64(seconds.rounded(.down)))
    }
}
