import Testing
@testable import JCFedCore

/// The string helpers a login runs on every request and cached document (the POST body, cache
/// file names, endpoint and issuer checks, the tenant of the authority), pinned to exact
/// outputs: they work on bytes (bench/results.md, round 8), and must answer as the
/// Character-based versions they replaced did.
@Suite struct LoginStringHelpersTests {
    @Test func cacheFileNamesAreReadableHostAndPathPlusTheURLsHash() {
        #expect(MetadataCache.fileName(for: "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0/.well-known/openid-configuration")
                == "login.microsoftonline.com_00000000-0000-0000-0000-000000000001_v2.0_.well-known_-88ffd6038a3986f6.json")
        // One underscore per Unicode scalar that is not [A-Za-z0-9.-], whatever its UTF-8 length.
        #expect(MetadataCache.fileName(for: "https://höst.example/ä?x=1#f") == "h_st.example___x_1_f-5ecdd9dc2c67a99e.json")
        #expect(MetadataCache.fileName(for: "http://x") == "http___x-47935c31f4e1af49.json")
        // The readable part stops at 80 scalars; the hash covers the whole URL.
        #expect(MetadataCache.fileName(for: "https://" + String(repeating: "a", count: 100))
                == String(repeating: "a", count: 80) + "-ee393d3425edea9a.json")
        #expect(MetadataCache.fnv1a64(Array("".utf8)) == 0xcbf2_9ce4_8422_2325)
    }

    @Test func httpsEndpoints() {
        for good in ["https://login.example.test/tenant/oauth2/v2.0/token", "https://h", "https://h:8443/x?y=1",
                     "https://[::1]:9443/keys"] {
            #expect(Discovery.isHTTPSEndpoint(good), "\(good)")
        }
        for bad in ["http://login.example.test/token", "https://", "https:///path", "https://user@h/x",
                    "https://h/x#frag", "https://h/a b", "https://h/\u{7f}", "https://hö/x", "HTTPS://h/x",
                    "https://h/\u{301}", " https://h/x", "https://h/" + String(repeating: "a", count: 2040)] {
            #expect(!Discovery.isHTTPSEndpoint(bad), "\(bad)")
        }
        #expect(Discovery.isHTTPSEndpoint("https://h/" + String(repeating: "a", count: 2038)))
    }

    @Test func placeholderReplacement() {
        let tid = "00000000-0000-0000-0000-000000000001"
        #expect(Discovery.replacing("{tenantid}", with: tid, in: "https://login.example.test/{tenantid}/v2.0")
                == "https://login.example.test/\(tid)/v2.0")
        #expect(Discovery.replacing("{tenantid}", with: "x", in: "{tenantid}{tenantid}/{tenantid") == "xx/{tenantid")
        #expect(Discovery.replacing("{tenantid}", with: "x", in: "") == "")
        #expect(Discovery.replacing("", with: "x", in: "abc") == "abc")
        #expect(Discovery.replacing("é", with: "e", in: "café é") == "cafe e")
    }

    @Test func tenantOfAnAzureAuthority() {
        func tenant(_ url: String, _ type: IdPType = .azure) -> String? {
            var idp = IdPSettings()
            idp.type = type
            idp.url = url
            return idp.tenantID
        }
        let tid = "0a1b2c3d-0000-4000-8000-00000000abcd"
        #expect(tenant("https://login.microsoftonline.com/" + tid) == tid)
        #expect(tenant("https://login.microsoftonline.com/" + tid.uppercased()) == tid)
        #expect(tenant("https://login.microsoftonline.com/" + tid + "//") == tid)
        #expect(tenant(tid) == tid)
        #expect(tenant("https://login.microsoftonline.com/" + tid, .oidc) == nil)
        #expect(tenant("https://login.microsoftonline.com/" + tid + "/v2.0") == nil)
        #expect(tenant("https://login.microsoftonline.com/contoso.onmicrosoft.com") == nil)
        #expect(tenant("https://login.microsoftonline.com/" + tid + "/\u{301}") == nil)
        // A slash joined to the Character before it (a prepended mark) separates nothing.
        #expect(tenant("https://login.microsoftonline.com/x\u{600}/" + tid) == nil)
        #expect(tenant("https://hö.example/" + tid) == tid)
        #expect(tenant("") == nil)
        #expect(tenant("///") == nil)
    }
}
