/// The ID token of a successful token response, in compact form and checked only for its
/// alphabet and size (the validator checks the rest). Only the ID token is kept: the access
/// token is for Microsoft Graph and is never looked at.
public struct IDToken: Sendable, Equatable {
    /// Longest compact ID token we accept from the wire (the validator has its own cap).
    static let maxBytes = 16 * 1024

    public let compact: String

    public init(_ compact: String) { self.compact = compact }

    static func from(_ object: [String: JSONValue], status: Int) -> Result<IDToken, ShapeProblem> {
        guard status == 200 else { return .failure(ShapeProblem("HTTP \(status) without an OAuth error")) }
        guard let token = object["id_token"]?.stringValue else {
            return .failure(ShapeProblem("no id_token in the token response (is openid in scopes?)"))
        }
        guard isCompactJWS(token) else { return .failure(ShapeProblem("id_token is not a compact JWS")) }
        return .success(IDToken(token))
    }

    /// Base64url characters and dots only, within the size cap.
    static func isCompactJWS(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= maxBytes else { return false }
        return s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == 0x2D || c == 0x5F || c == 0x2E
        }
    }
}
