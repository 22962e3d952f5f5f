import Testing
@testable import JCFedCore
@testable import JCFedSystem

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

    // Round 9: the domain checks of every login's identity mapping, on bytes. Pinned to what
    // the Character-based versions answered, combining marks and other non-ASCII included.
    @Test func domainNames() {
        for good in ["contoso.com", "a.b", "xn--bcher-kva.example", "a-b.c0", "0.0",
                     String(repeating: "a", count: 63) + ".com",
                     Array(repeating: "a", count: 127).joined(separator: ".")] {
            #expect(DomainName.isValidASCII(good), "\(good)")
        }
        for bad in ["", "com", ".com", "com.", "a..b", "-a.com", "a-.com", "a.-b", "a.b-", "A.com", "a_b.com",
                    "a b.com", "a.b\n", "a.\r\nb", "contоso.com", "a.\u{301}b", "a\u{301}.b", "a.b\u{301}",
                    "\u{301}a.b", "é.com", "a.b.", String(repeating: "a", count: 64) + ".com",
                    Array(repeating: "a", count: 128).joined(separator: "."), "a.b/c", "a.b:443"] {
            #expect(!DomainName.isValidASCII(bad), "\(bad)")
        }
    }

    @Test func addressKeys() {
        #expect(IdentifierKey.asciiDomain("Contoso.COM") == "contoso.com")
        #expect(IdentifierKey.asciiDomain("contoso.com"[...]) == "contoso.com")
        #expect(IdentifierKey.asciiDomain("XN--BCHER-KVA.Example") == "xn--bcher-kva.example")
        for bad in ["contоso.com", "CONTOSO.COM\u{301}", "a.\u{301}b", "com", "a_b.com", "ｃontoso.com", ""] {
            #expect(IdentifierKey.asciiDomain(bad) == nil, "\(bad)")
        }
        #expect(IdentifierKey.address("Alice@Contoso.COM") == "alice@contoso.com")
        #expect(IdentifierKey.address("ÉLODIE@contoso.com") == "élodie@contoso.com")
        #expect(IdentifierKey.address("\u{212A}elvin@contoso.com") == "\u{212A}elvin@contoso.com")
        #expect(IdentifierKey.address("alice@contoso.com\u{301}") == nil)
        #expect(IdentifierKey.address("alice@") == nil)
        #expect(IdentifierKey.address("a@b@contoso.com") == nil)
    }

    /// Texts where Unicode could change hasPrefix's answer: combining marks after the prefix,
    /// CR LF, characters canonically equivalent to ASCII ones (U+037E is ";", U+212A is "K").
    static let prefixTexts = ["", "/", "/etc", "/\u{301}etc", "https://h", "https://\u{301}h", "HTTPS://h", "http://h",
                              "https:/", "config=/x", "config=\u{301}/x", "#c", "#\u{301}", ";x", "\u{37E}x", "[idp]",
                              "\r\nx", "\rx", "Kx", "\u{212A}x", "é", "e\u{301}", ":0", "\u{1F600}/"]
    static let prefixes = ["", "/", "https://", "http://", "socks5h://", "config=", "#", ";", "[", ":", "K", "\r", "e",
                           "é", "\u{37E}"]

    @Test func startsWithASCIIAnswersAsHasPrefix() {
        for text in Self.prefixTexts {
            for prefix in Self.prefixes {
                #expect(text.startsWithASCII(prefix) == text.hasPrefix(prefix), "\(text.unicodeScalars.map { $0.value }) \(prefix)")
                let sub = ("x" + text).dropFirst()
                #expect(sub.startsWithASCII(prefix) == sub.hasPrefix(prefix))
            }
        }
    }

    @Test func hostOfAnHTTPSAuthority() {
        #expect(Discovery.hostOfHTTPS("https://Login.MicrosoftOnline.com/tid") == "login.microsoftonline.com")
        #expect(Discovery.hostOfHTTPS("https://h") == "h")
        #expect(Discovery.hostOfHTTPS("https:///H/tid") == "h")  // empty pieces are skipped, as split did
        #expect(Discovery.hostOfHTTPS("https://") == nil)
        #expect(Discovery.hostOfHTTPS("https:////") == nil)
        #expect(Discovery.hostOfHTTPS("https://HÖST.example/x") == "höst.example")
        #expect(Discovery.hostOfHTTPS("https://h\u{301}/x") == "h\u{301}")
    }

    @Test func machineIDIsTheFirstWord() {
        for text in ["0123abcd\n", "  0123abcd  \n", "\t\u{0B}\u{0C}\r\nid\r\n", "", " \n ", "a b", "id\u{1C}x\n",
                     "\u{A0}id\u{A0}x", "id\u{85}x", "\u{2003}id", "idé\n", "\r\n"] {
            let expected = text.split(whereSeparator: { $0.isWhitespace }).first.map(String.init) ?? ""
            #expect(MachineIdentity.firstWord(text) == expected, "\(text.unicodeScalars.map { $0.value })")
        }
    }

    @Test func forbiddenScalarsAreUnicodeWhitespaceAndControls() {
        for v in UInt32(0)...0x3000 {
            guard let u = Unicode.Scalar(v) else { continue }
            let invisible = v == 0xad || v == 0x180e || (0x200b...0x200f).contains(v) || (0x2028...0x202f).contains(v)
                || (0x2060...0x206f).contains(v)
            let expected = v <= 0x20 || v == 0x7f || (0x80...0xa0).contains(v) || invisible || u.properties.isWhitespace
            #expect(IdentifierKey.isForbidden(u) == expected, "\(v)")
        }
        #expect(IdentifierKey.isForbidden("\u{FEFF}"))
        #expect(!IdentifierKey.isForbidden("a"))
    }
}

