import Testing
@testable import JCFedCore

/// Parsing of the device authorization and token responses, OAuth error bodies, and the form
/// requests we send.
@Suite struct DeviceFlowResponseTests {
    /// Wall-clock seconds the answers arrive at (Sun, 06 Nov 1994 08:49:37 GMT).
    static let now: Int64 = 784_111_777

    static func code(_ status: Int, _ json: String, headers: [String: String] = [:]) -> IdPAnswer<DeviceAuthorization> {
        IdPAnswer(FlowFixtures.response(status, json, headers: headers), receivedAt: now)
    }

    static func token(_ status: Int, _ json: String, headers: [String: String] = [:]) -> IdPAnswer<IDToken> {
        IdPAnswer(FlowFixtures.response(status, json, headers: headers), receivedAt: now)
    }

    // MARK: device authorization response

    @Test func parsesEntrasDeviceCodeResponse() {
        guard case .success(let a) = Self.code(200, FlowFixtures.deviceCodeJSON()) else {
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
        guard case .success(let a) = Self.code(200, FlowFixtures.deviceCodeJSON(interval: nil, expiresIn: nil)) else {
            Issue.record("not parsed"); return
        }
        #expect(a.expiresIn == 900)
        #expect(a.interval == 5)
    }

    @Test func intervalZeroMeansFiveAndStringsAreAccepted() {
        let json = #"{"user_code":"A","device_code":"D","verification_url":"https://x.test/device","expires_in":"600","interval":0}"#
        guard case .success(let a) = Self.code(200, json) else { Issue.record("not parsed"); return }
        #expect(a.interval == 5)
        #expect(a.expiresIn == 600)
        // verification_url (Entra v1 and others) is accepted for verification_uri.
        #expect(a.verificationURI == "https://x.test/device")
    }

    @Test func completeURIIsUsedForTheQRCode() {
        let json = #"{"user_code":"WDJB-MJHT","device_code":"D","verification_uri":"https://x.test/device","verification_uri_complete":"https://x.test/device?user_code=WDJB-MJHT"}"#
        guard case .success(let a) = Self.code(200, json) else { Issue.record("not parsed"); return }
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
        // A date is read too (RFC 9110), counted from when the answer arrived.
        #expect(Self.token(429, "", headers: ["retry-after": "Sun, 06 Nov 1994 08:49:49 GMT"]) == .rateLimited(retryAfter: 12))
        #expect(Self.token(429, "", headers: ["retry-after": "soon"]) == .rateLimited(retryAfter: nil))
        #expect(Self.token(500, FlowFixtures.tokenJSON()) == .unavailable(status: 500))
    }

    /// Found by the fault matrix (token-429-once-then-approved): a header value that still ends in
    /// the line's CRLF ("\r\n" is one Character in Swift, so a Character-wise trim missed it) made
    /// Retry-After unreadable, and a 429 was retried after one interval instead of Retry-After.
    @Test func retryAfterWithTheLineEndStillOnIt() {
        #expect(Self.token(429, "", headers: ["retry-after": "7\r\n"]) == .rateLimited(retryAfter: 7))
        #expect(Self.code(429, "", headers: ["retry-after": " 3600 \r\n"]) == .rateLimited(retryAfter: 3600))
        #expect(Self.token(429, "", headers: ["retry-after": "7\r\n8"]) == .rateLimited(retryAfter: nil))
    }

    @Test func messageIsCleanedForTheTerminal() {
        let json = #"{"user_code":"ABC","device_code":"D","verification_uri":"https://x.test/d","message":"\u001b]0;pwned\u0007Open https://x.test/d\r\nand enter ABC \u202Eevil\u009b"}"#
        guard case .success(let a) = Self.code(200, json) else { Issue.record("not parsed"); return }
        let m = a.message ?? ""
        #expect(!m.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || ($0.value >= 0x80 && $0.value < 0xA0) })
        #expect(!m.unicodeScalars.contains { $0.value == 0x202E })
        #expect(m.contains("Open https://x.test/d  and enter ABC"))
    }

    @Test func messageWithoutTheCodeIsNotUsed() {
        let json = #"{"user_code":"ABC","device_code":"D","verification_uri":"https://x.test/d","message":"Go to https://phish.test and sign in"}"#
        guard case .success(let a) = Self.code(200, json) else { Issue.record("not parsed"); return }
        #expect(a.message == nil)
        #expect(DevicePresentation.instructions(a, withQR: false)
                == "To sign in, open https://x.test/d in a browser and enter the code ABC.")
    }

    // MARK: token response

    @Test func tokenSuccessKeepsOnlyTheIDToken() {
        #expect(Self.token(200, FlowFixtures.tokenJSON()) == .success(IDToken(FlowFixtures.idToken)))
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
        let big = String(repeating: "a", count: IDToken.maxBytes + 1)
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

    /// Retry-After on either endpoint: delay-seconds or a date, capped at an hour (beyond that
    /// nothing waits within a login anyway).
    @Test(arguments: [
        ("10", Optional(10)),
        (" 3 ", 3),
        ("99999999", IdPAnswer<IDToken>.maxRetryAfter),
        ("99999999999999999999999999", IdPAnswer<IDToken>.maxRetryAfter),
        ("Sun, 06 Nov 1994 09:49:37 GMT", 3600),
        ("Sunday, 06-Nov-94 08:50:37 GMT", 60),
        ("Sun Nov  6 08:49:38 1994", 1),
        ("Sun, 06 Nov 1994 08:00:00 GMT", 0),
        ("Sun, 06 Nov 2094 08:00:00 GMT", IdPAnswer<IDToken>.maxRetryAfter),
        ("-1", nil),
        ("1.5", nil),
        ("+5", nil),
        ("", nil),
    ])
    func retryAfterOnBothEndpoints(header: String, seconds: Int?) {
        #expect(Self.token(429, "", headers: ["retry-after": header]) == .rateLimited(retryAfter: seconds))
        #expect(Self.code(429, "", headers: ["retry-after": header]) == .rateLimited(retryAfter: seconds))
    }

    @Test func noRetryAfterHeader() {
        #expect(Self.token(429, "{}") == .rateLimited(retryAfter: nil))
    }

    /// The first cut and the error rule are the same for both endpoints; only the success
    /// reader differs (the device code ignores the status, the token needs 200).
    @Test(arguments: [
        (503, "{}", "unavailable"),
        (502, FlowFixtures.deviceCodeJSON(), "unavailable"),
        (200, "not json", "garbage"),
        (200, "[1]", "garbage"),
        (200, FlowFixtures.errorJSON("invalid_client", codes: [7_000_218]), "error"),
        (401, FlowFixtures.errorJSON("invalid_client", codes: [7_000_218]), "error"),
        (429, "", "rateLimited"),
    ])
    func bothEndpointsShareTheFirstCut(status: Int, body: String, kind: String) {
        func name<S>(_ a: IdPAnswer<S>) -> String {
            switch a {
            case .success: return "success"
            case .error: return "error"
            case .rateLimited: return "rateLimited"
            case .unavailable: return "unavailable"
            case .garbage: return "garbage"
            }
        }
        #expect(name(Self.code(status, body)) == kind)
        #expect(name(Self.token(status, body)) == kind)
    }

    @Test func successIsDecidedByEachEndpointsReader() {
        // A device code needs no particular status; a token needs 200.
        guard case .success = Self.code(201, FlowFixtures.deviceCodeJSON()) else { Issue.record("code refused"); return }
        #expect(Self.token(201, FlowFixtures.tokenJSON()) == .garbage(status: 201, reason: "HTTP 201 without an OAuth error"))
        // Each endpoint's body is garbage to the other.
        guard case .garbage = Self.code(200, FlowFixtures.tokenJSON()) else { Issue.record("token read as a code"); return }
        guard case .garbage = Self.token(200, FlowFixtures.deviceCodeJSON()) else { Issue.record("code read as a token"); return }
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
