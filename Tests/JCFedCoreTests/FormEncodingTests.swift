import Testing
@testable import JCFedCore

/// application/x-www-form-urlencoded bodies for the devicecode and token endpoints.
@Suite struct FormEncodingTests {
    @Test func unreservedCharactersAreKept() {
        let unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
        #expect(FormEncoding.percentEncode(unreserved) == unreserved)
    }

    @Test func spaceIsPercent20AndReservedCharactersAreEncoded() {
        #expect(FormEncoding.percentEncode("openid profile email") == "openid%20profile%20email")
        #expect(FormEncoding.percentEncode("a+b&c=d/e?f#g%h") == "a%2Bb%26c%3Dd%2Fe%3Ff%23g%25h")
        #expect(FormEncoding.percentEncode("urn:ietf:params:oauth:grant-type:device_code")
                == "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code")
    }

    @Test func utf8BytesAreEncodedInUpperCaseHex() {
        #expect(FormEncoding.percentEncode("é") == "%C3%A9")
        #expect(FormEncoding.percentEncode("\u{0}\n\u{7f}") == "%00%0A%7F")
        #expect(FormEncoding.percentEncode("😀") == "%F0%9F%98%80")
    }

    @Test func emptyValues() {
        #expect(FormEncoding.percentEncode("") == "")
        #expect(FormEncoding.encode([]) == "")
        #expect(FormEncoding.encode([("a", "")]) == "a=")
    }

    @Test func fieldsKeepTheirOrder() {
        let body = FormEncoding.encode([
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", "0b6a9f52-3c1e-4d0e-9b5c-2f1a7c0e8d11"),
            ("device_code", "FAQABAAEAAA+/=x"),
        ])
        #expect(body == "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"
                + "&client_id=0b6a9f52-3c1e-4d0e-9b5c-2f1a7c0e8d11&device_code=FAQABAAEAAA%2B%2F%3Dx")
    }

    @Test func aSecretCannotInjectAField() {
        // A client secret with '&' and '=' stays one field.
        let body = FormEncoding.encode([("client_secret", "a&scope=evil"), ("scope", "openid")])
        #expect(body == "client_secret=a%26scope%3Devil&scope=openid")
        #expect(body.split(separator: "&").count == 2)
    }

    @Test func formRequestHasTheHeadersOAuthEndpointsExpect() {
        let r = HTTPRequest.form("https://idp.example/token", [("a", "b c")])
        #expect(r.method == .post)
        #expect(r.url == "https://idp.example/token")
        #expect(r.body == Array("a=b%20c".utf8))
        #expect(r.headers.contains { $0.0 == "Content-Type" && $0.1 == "application/x-www-form-urlencoded" })
        #expect(r.headers.contains { $0.0 == "Accept" && $0.1 == "application/json" })
    }
}
