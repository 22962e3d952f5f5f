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

    /// The claim names, in `Name` order (what `JSONParser.memberSlots` looks for).
    static let wanted = JSONMemberNames(Name.allCases.map { $0.text })

    /// The decoded payload the slots' strings are ranges of (empty for claims from a dictionary).
    private let document: [UInt8]
    private let members: JSONMembers

    /// From `JSONParser.memberSlots(wanted: JWTClaims.wanted)` over `document`.
    init(document: [UInt8], members: JSONMembers) {
        self.document = document
        self.members = members
    }

    /// From an already parsed object (tests, tools): the claims read, the rest ignored.
    public init(_ values: [String: JSONValue]) {
        document = []
        members = JSONMembers(Name.allCases.map { values[$0.text] })
    }

    private func slot(_ claim: Name) -> JSONSlot {
        members.slot(claim.rawValue)
    }

    /// The claim as a JSON value (built on each call; the policies use the typed accessors).
    public subscript(_ claim: Name) -> JSONValue? {
        let value = members.value(claim.rawValue, in: document)
        if case .null? = value { return nil }
        return value
    }

    /// By name; nil for a claim the policies do not read.
    public subscript(_ name: String) -> JSONValue? {
        guard let claim = Name.allCases.first(where: { $0.text == name }) else { return nil }
        return self[claim]
    }

    /// Where a string claim is: a range of the payload (no escapes) or a built String.
    private enum StringValue {
        case bytes(Range<Int>)
        case built(String)
    }

    /// The one reading of a string claim (nil when absent or null); the accessors below only
    /// change how its answer is returned.
    private func stringValue(_ claim: Name) throws(TokenRejection) -> StringValue? {
        switch slot(claim) {
        case .absent, .null: return nil
        case .text(let range):
            guard range.lowerBound >= 0, range.upperBound <= document.count else {
                throw TokenRejection(.malformed, "\(claim.text) is outside the payload")
            }
            return .bytes(range)
        case .built(let index):
            guard case .string(let text)? = members.built(index) else {
                throw TokenRejection(.badClaim, "\(claim.text) is not a string")
            }
            return .built(text)
        case .bool, .number, .strings:
            throw TokenRejection(.badClaim, "\(claim.text) is not a string")
        }
    }

    /// A string claim without building a String; nil when absent or null.
    func text(_ claim: Name) throws(TokenRejection) -> ClaimText? {
        switch try stringValue(claim) {
        case nil: return nil
        case .bytes(let range)?: return ClaimText(bytes: document[range])
        case .built(let text)?: return ClaimText(text)
        }
    }

    /// A claim that must be an array of strings (`groups`), checked but not read into Strings
    /// (`.strings` reads them); nil when absent or null. The usual array (no escapes) stays its
    /// range of the payload.
    func stringList(_ claim: Name) throws(TokenRejection) -> ClaimStrings? {
        switch slot(claim) {
        case .absent, .null: return nil
        case .strings(let list):
            guard list.lowerBound >= 0, list.upperBound <= document.count else {
                throw TokenRejection(.malformed, "\(claim.text) is outside the payload")
            }
            return ClaimStrings(document: document, list: list)
        case .built(let index):
            guard case .array(let list)? = members.built(index) else {
                throw TokenRejection(.badClaim, "\(claim.text) is not an array")
            }
            var items: [String] = []
            items.reserveCapacity(list.count)
            for item in list {
                guard case .string(let text) = item else {
                    throw TokenRejection(.badClaim, "\(claim.text) holds a non-string")
                }
                items.append(text)
            }
            return ClaimStrings(items)
        case .bool, .number, .text:
            throw TokenRejection(.badClaim, "\(claim.text) is not an array")
        }
    }

    /// A present, non-empty string claim without building a String.
    func nonEmptyText(_ claim: Name) throws(TokenRejection) -> ClaimText {
        guard let text = try text(claim) else { throw JWTClaims.missing(claim) }
        guard !text.isEmpty else { throw JWTClaims.empty(claim) }
        return text
    }

    /// `text`'s verdict without making a ClaimText (IdentityPolicy checks the claims
    /// VerifiedIdentity reads later): the claim's length in bytes, nil when absent or null.
    func textLength(_ claim: Name) throws(TokenRejection) -> Int? {
        switch try stringValue(claim) {
        case nil: return nil
        case .bytes(let range)?: return range.count
        case .built(let text)?: return text.utf8.count
        }
    }

    /// `nonEmptyText`'s verdict without making a ClaimText.
    func checkNonEmptyText(_ claim: Name) throws(TokenRejection) {
        guard let length = try textLength(claim) else { throw JWTClaims.missing(claim) }
        guard length > 0 else { throw JWTClaims.empty(claim) }
    }

    private static func missing(_ claim: Name) -> TokenRejection { TokenRejection(.missingClaim, "\(claim.text) is missing") }
    private static func empty(_ claim: Name) -> TokenRejection { TokenRejection(.badClaim, "\(claim.text) is empty") }

    public func optionalText(_ claim: Name) -> Result<ClaimText?, TokenRejection> {
        Result { () throws(TokenRejection) in try text(claim) }
    }

    public func requiredText(_ claim: Name) -> Result<ClaimText, TokenRejection> {
        Result { () throws(TokenRejection) in try nonEmptyText(claim) }
    }

    /// A string claim as a String (VerifiedIdentity reads its fields with it).
    func string(_ claim: Name) throws(TokenRejection) -> String? {
        try text(claim)?.string
    }

    public func optionalString(_ claim: Name) -> Result<String?, TokenRejection> {
        optionalText(claim).map { $0?.string }
    }

    /// A present, non-empty string.
    public func requiredString(_ claim: Name) -> Result<String, TokenRejection> {
        requiredText(claim).map { $0.string }
    }

    /// Whether the claim is JSON `true` (false, "true", 1, null and absent are not).
    public func isTrue(_ claim: Name) -> Bool {
        if case .bool(true) = slot(claim) { return true }
        return false
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
        let seconds: Double
        switch slot(claim) {
        case .absent, .null: return .success(nil)
        case .number(let number): seconds = number
        case .bool, .text, .strings, .built: return .failure(TokenRejection(.badClaim, "\(claim.text) is not a number"))
        }
        guard seconds.isFinite, seconds >= 0, seconds <= JWTClaims.maxNumericDate else {
            return .failure(TokenRejection(.badClaim, "\(claim.text) is not a plausible time"))
        }
        return .success(Int64(seconds.rounded(.down)))
    }
}
