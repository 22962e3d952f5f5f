/// Why the device flow ended without an ID token. `code` is stable (tests and the login's
/// outcome table use it); the IdP error, HTTP status or transport error say what happened.
public struct FlowFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case declined              // the person said no (authorization_declined, access_denied)
        case expired               // expired_token, or the code's lifetime ran out
        case timedOut              // login_timeout reached before the code expired
        case badVerificationCode   // bad_verification_code
        case clientSecretRequired  // invalid_client AADSTS7000218: the app is confidential
        case clientSecretRejected  // invalid_client AADSTS700025: a secret sent to a public app
        case clientRejected        // other invalid_client / unauthorized_client
        case invalidGrant          // e.g. AADSTS50076 / 53003: MFA or Conditional Access
        case invalidRequest        // invalid_request, invalid_scope, unsupported_grant_type
        case idpError              // an OAuth error we have no rule for
        case unavailable           // transport error, HTTP 5xx, temporarily_unavailable
        case rateLimited           // throttled: HTTP 429 whose backoff does not fit before the limit,
                                   // or an error that says so (AADSTS50196, AADSTS90055)
        case garbage               // a body that is neither a result nor an OAuth error
        case outOfOrder            // the driver sent an event the machine did not expect
    }

    public var code: Code
    public var idpError: IdPError?
    public var httpStatus: Int?
    public var transportError: TransportError?
    /// A short reason without any response content.
    public var detail: String

    public init(_ code: Code, idpError: IdPError? = nil, httpStatus: Int? = nil,
                transportError: TransportError? = nil, detail: String = "") {
        self.code = code
        self.idpError = idpError
        self.httpStatus = httpStatus
        self.transportError = transportError
        self.detail = detail
    }

    /// Entra's throttling errors, whatever the OAuth `error` they come with: AADSTS50196 (the
    /// user-facing throttle, sent as `invalid_grant`) and AADSTS90055 (tenant throttling).
    public static let throttlingAADSTS = [50_196, 90_055]

    /// A final OAuth error from either endpoint (pending and slow_down are handled before).
    public static func from(_ e: IdPError) -> FlowFailure {
        let code: Code
        if throttlingAADSTS.contains(where: e.has) {
            return FlowFailure(.rateLimited, idpError: e, httpStatus: e.httpStatus, detail: "the identity provider is throttling")
        }
        switch e.error {
        case "authorization_declined", "access_denied": code = .declined
        case "expired_token", "code_expired": code = .expired
        case "bad_verification_code": code = .badVerificationCode
        case "invalid_client":
            if e.has(7_000_218) {
                code = .clientSecretRequired
            } else if e.has(700_025) {
                code = .clientSecretRejected
            } else {
                code = .clientRejected
            }
        case "unauthorized_client": code = .clientRejected
        case "invalid_grant": code = .invalidGrant
        case "invalid_request", "invalid_scope", "unsupported_grant_type": code = .invalidRequest
        case "temporarily_unavailable", "server_error": code = .unavailable
        default: code = .idpError
        }
        return FlowFailure(code, idpError: e, httpStatus: e.httpStatus)
    }

    /// What the failure means for the login (the catalogue in Outcome.swift).
    public var reason: OutcomeReason {
        if transportError == .outOfMemory { return .outOfMemory }
        switch code {
        case .declined: return .declined
        case .expired: return .expired
        case .timedOut: return .timeout
        case .badVerificationCode: return .badCode
        case .clientSecretRequired: return .clientSecretRequired
        case .clientSecretRejected: return .clientSecretNotAllowed
        case .clientRejected: return .clientRejected
        case .invalidGrant: return .grantRefused
        case .invalidRequest: return .invalidRequest
        case .idpError: return .idpError
        case .unavailable: return .idpUnavailable
        case .rateLimited: return .idpThrottled
        case .garbage: return .idpGarbage
        case .outOfOrder: return .internalError
        }
    }

    public var description: String {
        var s = code.rawValue
        if let e = idpError {
            s += ": " + e.description
        } else if let t = transportError {
            s += ": " + t.description
        } else if let h = httpStatus {
            s += ": HTTP \(h)"
        }
        if !detail.isEmpty { s += " (" + detail + ")" }
        return s
    }

    public static func == (a: FlowFailure, b: FlowFailure) -> Bool {
        a.code == b.code && a.idpError == b.idpError && a.httpStatus == b.httpStatus
            && a.transportError == b.transportError
    }
}
