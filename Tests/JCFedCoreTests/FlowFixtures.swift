#if canImport(Glibc)
import Glibc
#endif
@testable import JCFedCore

/// Fixtures for the device-flow, discovery, cache and login tests (the fakes are the test kit's:
/// Tests/JCFedTestKit).

enum FlowFixtures {
    static let tenant = TestIdP.tenant
    static let client = TestIdP.client
    static let host = "login.example.test"
    static var authority: String { "https://\(host)/\(tenant)" }
    static var issuer: String { "https://\(host)/\(tenant)/v2.0" }
    static let deviceCode = "DEVICECODE-SECRET-0123456789abcdef"
    static let userCode = "FRWQDE7YL"
    static let idToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"

    static func azureSettings(cacheDir: String = "/nonexistent/jcfed-cache") -> IdPSettings {
        var s = IdPSettings()
        s.type = .azure
        s.url = authority
        s.clientID = client
        s.cacheDir = cacheDir
        return s
    }

    static func response(_ status: Int, _ json: String, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(json.utf8))
    }

    static func discoveryJSON(issuer: String = FlowFixtures.issuer, base: String = FlowFixtures.authority,
                              extra: String = "") -> String {
        """
        {"issuer":"\(issuer)","token_endpoint":"\(base)/oauth2/v2.0/token",
         "device_authorization_endpoint":"\(base)/oauth2/v2.0/devicecode",
         "jwks_uri":"\(base)/discovery/v2.0/keys","id_token_signing_alg_values_supported":["RS256"],
         "authorization_endpoint":"\(base)/oauth2/v2.0/authorize"\(extra)}
        """
    }

    /// A 2048-bit RSA modulus (top bit set), base64url; the value is arbitrary.
    static var modulus: String {
        var n: [UInt8] = [0xC3]
        for i in 1..<256 { n.append(UInt8(truncatingIfNeeded: i &* 37 &+ 11)) }
        return Base64.urlEncode(n)
    }

    static func jwksJSON(kids: [String] = ["key-1"]) -> String {
        let keys = kids.map {
            #"{"kty":"RSA","use":"sig","kid":"\#($0)","x5t":"\#($0)","n":"\#(modulus)","e":"AQAB","issuer":"https://\#(host)/{tenantid}/v2.0"}"#
        }
        return #"{"keys":["# + keys.joined(separator: ",") + "]}"
    }

    static func deviceCodeJSON(interval: Int? = 5, expiresIn: Int? = 900, message: Bool = true) -> String {
        var s = #"{"user_code":"\#(userCode)","device_code":"\#(deviceCode)","verification_uri":"https://microsoft.com/devicelogin""#
        if let e = expiresIn { s += #","expires_in":\#(e)"# }
        if let i = interval { s += #","interval":\#(i)"# }
        if message {
            s += #","message":"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code \#(userCode) to authenticate.""#
        }
        return s + "}"
    }

    static func errorJSON(_ error: String, codes: [Int] = [], correlation: String = "c0ffee00-1111-2222-3333-444455556666") -> String {
        let list = codes.map(String.init).joined(separator: ",")
        return #"{"error":"\#(error)","error_description":"AADSTS\#(codes.first ?? 0): text\r\nTrace ID: t\r\nCorrelation ID: \#(correlation)","error_codes":[\#(list)],"timestamp":"2022-08-25 09:34:07Z","trace_id":"7ace0000-aaaa-bbbb-cccc-ddddeeeeffff","correlation_id":"\#(correlation)"}"#
    }

    static func tokenJSON(idToken: String = FlowFixtures.idToken) -> String {
        #"{"token_type":"Bearer","scope":"openid profile email","expires_in":3599,"access_token":"ACCESS-TOKEN-SECRET","id_token":"\#(idToken)"}"#
    }

    static func pending(status: Int = 400) -> Result<HTTPResponse, TransportError> {
        .success(response(status, errorJSON("authorization_pending", codes: [70016])))
    }

    static func formFields(_ body: [UInt8]) -> [String: String] { FormFields.parse(body) }

    /// A fresh private directory for one test, removed by `removeTree`.
    static func tempDir() -> String { TemporaryDirectory.makePath() }

    static func removeTree(_ path: String) { TemporaryDirectory.removeTree(path) }
}
