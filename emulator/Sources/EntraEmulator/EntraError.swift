// Entra's error body, exactly its shape:
//   {"error":..,"error_description":"AADSTSn: text\r\nTrace ID: ..\r\nCorrelation ID: ..\r\nTimestamp: ..",
//    "error_codes":[n],"timestamp":..,"trace_id":..,"correlation_id":..,"error_uri":".../error?code=n"}
import Foundation

struct EntraError {
    var error: String
    var code: Int
    var text: String
    var status: Int

    func reply(baseURL: String, correlationID: String?) -> Reply {
        let timestamp = Encoding.entraTimestamp()
        let traceID = Encoding.guid()
        let correlation = correlationID ?? Encoding.guid()
        let description =
            "AADSTS\(code): \(text)\r\nTrace ID: \(traceID)\r\nCorrelation ID: \(correlation)\r\nTimestamp: \(timestamp)"
        let body: JSON = [
            "error": .string(error),
            "error_description": .string(description),
            "error_codes": [.int(code)],
            "timestamp": .string(timestamp),
            "trace_id": .string(traceID),
            "correlation_id": .string(correlation),
            "error_uri": .string(baseURL + "/error?code=\(code)"),
        ]
        var reply = Reply.json(body, status: status)
        reply.note = "\(error) AADSTS\(code)"
        reply.isEntraError = true
        return reply
    }
}

/// The errors the emulator speaks. Texts follow Entra's; codes marked UNCONFIRMED in the wire reference
/// are the emulator's choice (clients must not branch on them).
extension EntraError {
    static func tenantNotFound(_ tenant: String) -> EntraError {
        EntraError(
            error: "invalid_request", code: 90002,
            text: "Tenant '\(tenant)' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.",
            status: 400)
    }

    static func missingParameter(_ name: String) -> EntraError {
        EntraError(
            error: "invalid_request", code: 900144,
            text: "The request body must contain the following parameter: '\(name)'.", status: 400)
    }

    static func unknownClient(_ clientID: String, tenant: String) -> EntraError {
        EntraError(
            error: "unauthorized_client", code: 700016,
            text: "Application with identifier '\(clientID)' was not found in the directory '\(tenant)'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
            status: 400)
    }

    static let secretRequired = EntraError(
        error: "invalid_client", code: 7000218,
        text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        status: 401)

    static let publicClientSentSecret = EntraError(
        error: "invalid_client", code: 700025,
        text: "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        status: 401)

    static func wrongSecret(_ clientID: String) -> EntraError {
        EntraError(
            error: "invalid_client", code: 7000215,
            text: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '\(clientID)'.",
            status: 401)
    }

    static func unsupportedGrant(_ grant: String) -> EntraError {
        EntraError(
            error: "unsupported_grant_type", code: 70003,
            text: "The app requested an unsupported grant type '\(grant)'.", status: 400)
    }

    static let pending = EntraError(
        error: "authorization_pending", code: 70016,
        text: "OAuth 2.0 device flow error. Authorization is pending. Continue polling.", status: 400)

    static let slowDown = EntraError(
        error: "slow_down", code: 50196,
        text: "The server terminated an operation because it encountered a client request loop. Poll more slowly.",
        status: 400)

    /// Entra's user-facing throttle (too many sign-in requests for one user): `invalid_grant`, HTTP 400.
    static let userThrottled = EntraError(
        error: "invalid_grant", code: 50196,
        text: "The server terminated an operation because it encountered a client request loop. Please contact your app vendor.",
        status: 400)

    static let declined = EntraError(
        error: "authorization_declined", code: 65004,
        text: "User declined to consent to access the app.", status: 400)

    static let expired = EntraError(
        error: "expired_token", code: 70020,
        text: "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
        status: 400)

    static let badCode = EntraError(
        error: "bad_verification_code", code: 70018,
        text: "The provided value for the input parameter 'device_code' is not valid.", status: 400)

    static let codeForOtherClient = EntraError(
        error: "invalid_grant", code: 70000,
        text: "The provided value for the 'device_code' is not valid for this client.", status: 400)

    static let codeRedeemed = EntraError(
        error: "invalid_grant", code: 70000,
        text: "The provided value for the 'device_code' is not valid. It was already redeemed.", status: 400)

    static let invalidScope = EntraError(
        error: "invalid_scope", code: 70011,
        text: "The provided request must include a 'scope' input parameter.", status: 400)

    static func injected(status: Int) -> EntraError {
        switch status {
        case 429:
            return EntraError(
                error: "temporarily_unavailable", code: 90033,
                text: "A transient error has occurred. Please try again. (throttled)", status: 429)
        case 500:
            return EntraError(
                error: "server_error", code: 50000,
                text: "There was an error issuing a token or an issue with our sign-in service.", status: 500)
        default:
            return EntraError(
                error: "temporarily_unavailable", code: 90033,
                text: "A transient error has occurred. Please try again.", status: status)
        }
    }

    static let unknownInstance = EntraError(
        error: "invalid_instance", code: 50049, text: "Unknown or invalid instance.", status: 400)
}
