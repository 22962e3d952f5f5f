/// What the token endpoint answered to one poll. Only the ID token is kept: the access token
/// is for Microsoft Graph and is never looked at.
public enum TokenReply: Sendable, Equatable {
    case idToken(String)
    case error(IdPError)
    case rateLimited(retryAfter: Int?)
    case unavailable(status: Int)
    case garbage(status: Int, reason: String)

    /// Longest compact ID token we accept from the wire (the validator has its own cap).
    static let maxTokenBytes = 16 * 1024

    public init(_ response: HTTPResponse) {
        switch HTTPReply(response) {
        case .rateLimited(let r): self = .rateLimited(retryAfter: r)
        case .unavailable(let s): self = .unavailable(status: s)
        case .garbage(let s, let why): self = .garbage(status: s, reason: why)
        case .object(let o, let status):
            // `error` decides, whatever the status: Entra sends some errors with HTTP 200.
            if let e = IdPError.from(o, status: status) {
                self = .error(e)
                return
            }
            guard status == 200 else {
                self = .garbage(status: status, reason: "HTTP \(status) without an OAuth error")
                return
            }
            guard let token = o["id_token"]?.stringValue else {
                self = .garbage(status: status, reason: "no id_token in the token response (is openid in scopes?)")
                return
            }
            guard TokenReply.isCompactJWS(token) else {
                self = .garbage(status: status, reason: "id_token is not a compact JWS")
                return
            }
            self = .idToken(token)
        }
    }

    /// Base64url characters and dots only, within the size cap; the validator checks the rest.
    static func isCompactJWS(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= maxTokenBytes else { return false }
        return s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == 0x2D || c == 0x5F || c == 0x2E
        }
    }
}
