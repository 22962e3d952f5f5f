/// The result of one PAM stage, independent of PAM: the adapter maps `kind` to a PAM code
/// (table in pam_jcfed(8) RETURN VALUES), logs `reason` and `adminDetail`, and shows
/// `userMessage` (one sentence) through the conversation when there is one.
public struct Outcome: Error, Sendable, Equatable {
    public enum Kind: String, Sendable {
        case success
        case ignore            // not federated: the rest of the stack decides
        case userUnknown
        case serviceError      // configuration missing, unreadable, unsafe or invalid
        case unavailable       // IdP unreachable: DNS, connect, TLS, timeout, HTTP 5xx
        case authError         // token invalid, wrong user, declined, expired code
        case convError         // conversation failed or user cancelled
        case bufError          // out of memory
        case accountExpired    // account stage: directory says suspended / deactivated
        case permissionDenied  // account stage: locked, not allowed
    }

    public var kind: Kind
    /// Short, stable reason code for the closing log line, e.g. "declined", "not-routed".
    public var reason: String
    /// One sentence for syslog. Never a token, code, secret or user input.
    public var adminDetail: String
    /// One sentence for the person, or nil when nothing should be shown.
    public var userMessage: String?

    public init(_ kind: Kind, reason: String, admin: String = "", user: String? = nil) {
        self.kind = kind
        self.reason = reason
        self.adminDetail = admin
        self.userMessage = user
    }

    public static let misconfiguredMessage = "Federated login is misconfigured; contact your administrator."
}
