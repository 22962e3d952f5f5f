/// Typed access to the claims of a token. Every accessor checks the JSON type: a claim of the
/// wrong type is `badClaim`, never coerced (`"exp":"9999999999"` is not a number). JSON null
/// is treated as absent.
public struct JWTClaims: Sendable {
    public let values: [String: JSONValue]

    public init(_ values: [String: JSONValue]) {
        self.values = values
    }

    public subscript(name: String) -> JSONValue? {
        guard let value = values[name], value != .null else { return nil }
        return value
    }

    public func optionalString(_ name: String) -> Result<String?, TokenRejection> {
        guard let value = self[name] else { return .success(nil) }
        guard let text = value.stringValue else { return .failure(TokenRejection(.badClaim, "\(name) is not a string")) }
        return .success(text)
    }

    /// A present, non-empty string.
    public func requiredString(_ name: String) -> Result<String, TokenRejection> {
        switch optionalString(name) {
        case .failure(let rejection): return .failure(rejection)
        case .success(nil): return .failure(TokenRejection(.missingClaim, "\(name) is missing"))
        case .success(let text?):
            guard !text.isEmpty else { return .failure(TokenRejection(.badClaim, "\(name) is empty")) }
            return .success(text)
        }
    }

    /// Latest NumericDate accepted: 9999-12-31T23:59:59Z. Anything later (1e300) is not a date.
    public static let maxNumericDate: Double = 253_402_300_799

    /// A NumericDate (RFC 7519 §2): a JSON number of seconds, fractions truncated.
    public func numericDate(_ name: String) -> Result<Int64?, TokenRejection> {
        guard let value = self[name] else { return .success(nil) }
        guard let seconds = value.numberValue else {
            return .failure(TokenRejection(.badClaim, "\(name) is not a number"))
        }
        guard seconds.isFinite, seconds >= 0, seconds <= JWTClaims.maxNumericDate else {
            return .failure(TokenRejection(.badClaim, "\(name) is not a plausible time"))
        }
        return .success(Int64(seconds.rounded(.down)))
    }
}
