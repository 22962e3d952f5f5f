import Testing
@testable import JCFedCore

/// Parsing of the device authorization and token responses, OAuth error bodies, and the form
/// requests we send.
@Suite struct DeviceFlowResponseTests {
    static func code(_ status: Int, _ json: String, headers: [String: String] = [:]) -> DeviceCodeReply {
        DeviceCodeReply(FlowFixtures.response(status, json, headers: headers))
    }

    static func token(_ status: Int, _ json: String, headers: [String: String] = [:]) -> TokenReply {
        TokenReply(FlowFixtures.response(status, json, headers: headers))
    }

    // MARK: device authorization response

    @Test func parsesEntrasDeviceCodeResponse() {
        guard case .authorization(let a) = Self.code(200, FlowFixtures.deviceCodeJSON()) else {
            Issue.record("not parsed"); return
        }
        #expect(a.userCode == FlowFixtures.userCode)
        #expect(a.deviceCode == FlowFixtures.deviceCode)
        #expect(a.verificationURI == "https://microsoft.com/devicelogin")
        #expect(a.verificationURIComplete == nil)
        #expect(a.qrTarget == "https://microsoft.com/devicelogin")
        #expect(a.expiresIn == 900)
        #expect(a.interval == 5)
        #expect(a.message?.hasPrefix("To sign in, use a web browser") == true)
        // The device code is a bearer secret: never in the description.
        #expect(!a.description.contains(FlowFixtures.deviceCode))
    }

    @Test func defaultsWhenIntervalAndExpiryAreAbsent() {
        guard case .authorization(let a) = Self.code(200, FlowFixtures.deviceCodeJSON(interval: nil, expiresIn: nil)) else {
            Issue.record("not parsed"); return
        }
        #expect(a.expiresIn == 900)
        #expect(a.interval == 5)
    }

    @Test func intervalZeroMeansFiveAndStringsAreAccepted() {
        let json = #"{"user_code":"A","device_code":"D","verification_url":"https://x.test/device","expires_in":"600","interval":0}"#
        guard case .authorization(let a) = Self.code(200, json) else { Issue.record("not parsed"); return }
        #expect(a.interval == 5)
        #expect(a.expiresIn == 600)
        // verification_url (Entra v1 and others) is accepted for verification_uri.
        #expect(a.verificationURI == "https://x.test/device")
    }

    @Test func completeURIIsUsedForTheQRCode() {
        let json = #"{"user_code":"WDJB-MJHT","device_code":"D","verification_uri":"https://x.test/device","verification_uri_complete":"https://x.test/device?user_code=WDJB-MJHT"}"#
        guard case .authorization(let a) = Self.code(200, json) else { Issue.record("not parsed"); return }
        #expect(a.qrTarget == "https://x.test/device?user_code=WDJB-MJHT")
        #expect(a.message == nil)
    }

    @Test(arguments: [
        #"{"device_code":"D","verification_uri":"https://x.test/d"}"#,                                 // no user_code
        #"{"user_code":"A","verification_uri":"https://x.test/d"}"#,                                   // no device_code
        #"{"user_code":"A","device_code":"D"}"#,                                                       // no URI
        #"{"user_code":"A","device_code":"D","verification_uri":"http://x.test/d"}"#,                  // not https
        #"{"user_code":"A","device_code":"D","verification_uri":"https://evil@x.test/d"}"#,            // user info
        #"{"user_code":"A\u001b[2J","device_code":"D","verification_uri":"https://x.test/d"}"#,        // escape in code
        #"{"user_code":"A","device_code":"D","verification_uri":"https://x.test/d","interval":-1}"#,   // negative
        #"{"user_code":"A","device_code":"D","verification_uri":"https://x.test/d","expires_in":"soon"}"#,
        #"{"user_code":"A","device_code":"D","verification_uri":"https://x.test/d","expires_in":0}"#,
        #"[1,2,3]"#,
        #"<html>Service Unavailable</html>"#,
        "",
    ])
    func unusableBodiesAreGarbage(json: String) {
        guard case .garbage = Self.code(200, json) else { Issue.record("accepted: \(json)"); return }
    }

    @Test func errorsAreDecidedByTheBodyNotTheStatus() {
        let body = FlowFixtures.errorJSON("invalid_client", codes: [7_000_218])
        for status in [200, 400, 401] {
            guard case .error(let e) = Self.code(status, body) else { Issue.record("HTTP \(status) not an error"); return }
            #expect(e.error == "invalid_client")
            #expect(e.codes == [7_000_218])
            #expect(e.httpStatus == status)
        }
        // An error wins even next to a code (fail closed).
        let both = #"{"error":"invalid_request","user_code":"A","device_code":"D","verification_uri":"https://x.test/d"}"#
        guard case .error = Self.code(200, both) else { Issue.record("code accepted beside an error"); return }
    }

    @Test func serverErrorsAndThrottling() {
        #expect(Self.code(503, FlowFixtures.deviceCodeJSON()) == .unavailable(status: 503))
        #expect(Self.code(429, "{}", headers: ["retry-after": "7"]) == .rateLimited(retryAfter: 7))
        #expect(Self.token(429, "", headers: ["retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"]) == .rateLimited(retryAfter: nil))
        #expect(Self.token(500, FlowFixtures.tokenJSON()) == .unavailable(status: 500))
    }

    @Test func messageIsCleanedForTheTerminal() {
        let json = #"{"user_code":"ABC","device_code":"D","verification_uri":"https://x.test/d","message":"\u001b]0;pwned\u0007Open https://x.test/d\r\nand enter ABC \u202Eevil\u009b"}"#
        guard case .authorization(let a) = Self.code(200, json) else { Issue.record("not parsed"); return }
        let m = a.message ?? ""
        #expect(!m.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || ($0.value >= 0x80 && $0.value < 0xA0) })
        #expect(!m.unicodeScalars.contains { $0.value == 0x202E })
        #expect(m.contains("Open https://x.test/d  and enter ABC"))
    }

    @Test func messageWithoutTheCodeIsNotUsed() {
        let json = #"{"user_code":"ABC","device_code":"D","verification_uri":"https://x.test/d","message":"Go to https://phish.test and sign in"}"#
        guard case .authorization(let a) = Self.code(200, json) else { Issue.record("not parsed"); return }
        #expect(a.message == nil)
        #expect(DevicePresentation.instructions(a, withQR: false)
                == "To sign in, open https://x.test/d in a browser and enter the code ABC.")
    }

    // MARK: token response

    @Test func tokenSuccessKeepsOnlyTheIDToken() {
        #expect(Self.token(200, FlowFixtures.tokenJSON()) == .idToken(FlowFixtures.idToken))
    }

    @Test func tokenErrorsWithAnyStatus() {
        for status in [200, 400] {
            guard case .error(let e) = Self.token(status, FlowFixtures.errorJSON("authorization_pending", codes: [70016])) else {
                Issue.record("HTTP \(status) pending not an error"); return
            }
            #expect(e.error == "authorization_pending")
            #expect(e.correlationID == "c0ffee00-1111-2222-3333-444455556666")
            #expect(e.traceID == "7ace0000-aaaa-bbbb-cccc-ddddeeeeffff")
        }
        // An error beside an id_token is an error.
        let both = #"{"error":"invalid_grant","id_token":"a.b.c"}"#
        guard case .error = Self.token(200, both) else { Issue.record("token accepted beside an error"); return }
    }

    @Test(arguments: [
        (200, #"{"token_type":"Bearer","access_token":"x"}"#),        // no id_token (openid missing)
        (200, #"{"id_token":"a.b.c\u001b"}"#),                        // not a compact JWS
        (200, #"{"id_token":17}"#),
        (400, #"{"id_token":"a.b.c"}"#),                               // success body with an error status
        (401, "Unauthorized"),
        (200, "not json"),
        (302, ""),
    ])
    func unusableTokenResponsesAreGarbage(status: Int, json: String) {
        guard case .garbage = Self.token(status, json) else { Issue.record("accepted: \(status) \(json)"); return }
    }

    @Test func oversizedIDTokenIsGarbage() {
        let big = String(repeating: "a", count: TokenReply.maxTokenBytes + 1)
        guard case .garbage = Self.token(200, #"{"id_token":"\#(big)"}"#) else { Issue.record("accepted"); return }
    }

    // MARK: error bodies

    @Test func errorFieldsAreCleanedForTheLog() {
        let json = #"{"error":"bad\nline injected","error_codes":[50076,"x",1.5,-3],"correlation_id":"abc\r\nFAKE: root ok","trace_id":""}"#
        guard case .error(let e) = Self.token(400, json) else { Issue.record("not an error"); return }
        #expect(!e.error.contains("\n"))
        #expect(e.codes == [50076])
        #expect(e.correlationID?.contains("\n") == false)
        #expect(e.traceID == nil)
        #expect(e.description == "bad?line?injected AADSTS50076 (HTTP 400) correlation_id=abc??FAKE:?root?ok")
    }

    @Test func errorDescriptionIsNeverKept() {
        guard case .error(let e) = Self.token(400, FlowFixtures.errorJSON("invalid_grant", codes: [53003])) else {
            Issue.record("not an error"); return
        }
        #expect(!e.description.contains("text"))
        #expect(e.aadsts == "AADSTS53003")
    }

    @Test func retryAfterParsing() {
        #expect(HTTPReply.retryAfter("10") == 10)
        #expect(HTTPReply.retryAfter(" 3 ") == 3)
        #expect(HTTPReply.retryAfter("99999999") == HTTPReply.maxRetryAfter)
        #expect(HTTPReply.retryAfter("-1") == nil)
        #expect(HTTPReply.retryAfter("1.5") == nil)
        #expect(HTTPReply.retryAfter(nil) == nil)
    }

    // MARK: requests

    @Test func publicClientRequestsCarryNoSecret() {
        let r = DeviceFlowRequests(deviceAuthorizationEndpoint: "https://x.test/devicecode", tokenEndpoint: "https://x.test/token",
                                   clientID: FlowFixtures.client, clientSecret: nil, scopes: ["openid", "profile", "email"])
        let code = r.deviceCode()
        #expect(code.method == .post && code.url == "https://x.test/devicecode")
        #expect(String(decoding: code.body, as: UTF8.self) == "client_id=\(FlowFixtures.client)&scope=openid%20profile%20email")
        #expect(code.headers.contains { $0.0 == "Content-Type" && $0.1 == "application/x-www-form-urlencoded" })
        let poll = FlowFixtures.formFields(r.token(deviceCode: "DC+/=").body)
        #expect(poll == ["grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                         "client_id": FlowFixtures.client, "device_code": "DC+/="])
    }

    @Test func confidentialClientSendsTheSecretInTheForm() {
        let r = DeviceFlowRequests(deviceAuthorizationEndpoint: "https://x.test/devicecode", tokenEndpoint: "https://x.test/token",
                                   clientID: "c", clientSecret: "s3cr&t=", scopes: ["openid"])
        #expect(FlowFixtures.formFields(r.deviceCode().body)["client_secret"] == "s3cr&t=")
        #expect(FlowFixtures.formFields(r.token(deviceCode: "d").body)["client_secret"] == "s3cr&t=")
        #expect(!r.token(deviceCode: "d").headers.contains { $0.0.lowercased() == "authorization" })
    }
}
