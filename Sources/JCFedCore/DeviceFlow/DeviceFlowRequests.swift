/// The two form POSTs of the device flow. A configured secret is sent as `client_secret`
/// (client_secret_post) on both endpoints: RFC 8628 §3.1 applies the token endpoint's client
/// authentication to the device authorization request too, and Entra then names the problem
/// (AADSTS7000218 / 700025) as early as possible.
public struct DeviceFlowRequests: Sendable {
    public static let deviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code"

    public var deviceAuthorizationEndpoint: String
    public var tokenEndpoint: String
    public var clientID: String
    public var clientSecret: String?
    public var scopes: [String]

    public init(deviceAuthorizationEndpoint: String, tokenEndpoint: String, clientID: String,
                clientSecret: String?, scopes: [String]) {
        self.deviceAuthorizationEndpoint = deviceAuthorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scopes = scopes
    }

    public func deviceCode() -> HTTPRequest {
        HTTPRequest.form(deviceAuthorizationEndpoint,
                         withSecret([("client_id", clientID), ("scope", scopes.joined(separator: " "))]))
    }

    public func token(deviceCode: String) -> HTTPRequest {
        HTTPRequest.form(tokenEndpoint, withSecret([
            ("grant_type", DeviceFlowRequests.deviceCodeGrantType),
            ("client_id", clientID),
            ("device_code", deviceCode),
        ]))
    }

    private func withSecret(_ fields: [(String, String)]) -> [(String, String)] {
        guard let secret = clientSecret, !secret.isEmpty else { return fields }
        return fields + [("client_secret", secret)]
    }
}
