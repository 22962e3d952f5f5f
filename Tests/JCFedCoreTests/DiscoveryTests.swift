import Testing
@testable import JCFedCore

/// Discovery for `type = azure` and `type = oidc`: where the document is, and what it must say.
@Suite struct DiscoveryTests {
    static func validate(_ json: String, _ settings: IdPSettings = FlowFixtures.azureSettings()) -> Result<ProviderMetadata, DiscoveryError> {
        Discovery.validate(Array(json.utf8), settings: settings)
    }

    static func oidc(_ url: String = "https://idp.example.test/realms/corp") -> IdPSettings {
        var s = IdPSettings()
        s.type = .oidc
        s.url = url
        s.clientID = "jcfed"
        return s
    }

    @Test func azureDocumentURL() {
        #expect(Discovery.documentURL(for: FlowFixtures.azureSettings())
                == "https://login.example.test/\(FlowFixtures.tenant)/v2.0/.well-known/openid-configuration")
    }

    @Test func azureTenantDocumentIsAccepted() throws {
        let m = try Self.validate(FlowFixtures.discoveryJSON()).get()
        #expect(m.expectedTokenIssuer == FlowFixtures.issuer)
        #expect(m.deviceAuthorizationEndpoint == FlowFixtures.authority + "/oauth2/v2.0/devicecode")
        #expect(m.tokenEndpoint == FlowFixtures.authority + "/oauth2/v2.0/token")
        #expect(m.jwksURI == FlowFixtures.authority + "/discovery/v2.0/keys")
        #expect(Discovery.allowedAlgorithms(m, settings: FlowFixtures.azureSettings()) == [.rs256])
    }

    @Test func tenantPlaceholderIsReplacedByThePinnedTenant() throws {
        let m = try Self.validate(FlowFixtures.discoveryJSON(issuer: "https://\(FlowFixtures.host)/{tenantid}/v2.0")).get()
        #expect(m.issuer == "https://\(FlowFixtures.host)/{tenantid}/v2.0")
        #expect(m.expectedTokenIssuer == FlowFixtures.issuer)
    }

    @Test func upperCaseTenantInTheURLIsPinnedInLowerCase() throws {
        var s = FlowFixtures.azureSettings()
        s.url = "https://\(FlowFixtures.host)/\(FlowFixtures.tenant.uppercased())"
        let m = try Self.validate(FlowFixtures.discoveryJSON(), s).get()
        #expect(m.expectedTokenIssuer == FlowFixtures.issuer)
    }

    @Test(arguments: ["common", "organizations", "consumers", "contoso.onmicrosoft.com"])
    func multiTenantAuthoritiesAreRefused(tenant: String) {
        var s = FlowFixtures.azureSettings()
        s.url = "https://login.microsoftonline.com/\(tenant)"
        let doc = FlowFixtures.discoveryJSON(issuer: "https://login.microsoftonline.com/{tenantid}/v2.0")
        #expect(Self.validate(doc, s) == .failure(.tenantRequired(tenant)))
        let outcome = Outcome.discovery(.tenantRequired(tenant))
        #expect(outcome.kind == .serviceError)
        #expect(outcome.reason.word == "multi-tenant-authority")
    }

    @Test(arguments: [
        "https://login.example.test/00000000-0000-0000-0000-000000000000/v2.0",  // another tenant
        "https://evil.example.test/\(FlowFixtures.tenant)/v2.0",   // another host
        "https://login.example.test/\(FlowFixtures.tenant)/",      // v1 shape
        "https://sts.windows.net/\(FlowFixtures.tenant)/",
        "https://login.example.test/{tenantid}/v2.0/extra",
    ])
    func azureIssuerMismatchIsRefused(issuer: String) {
        guard case .failure(.issuerMismatch) = Self.validate(FlowFixtures.discoveryJSON(issuer: issuer)) else {
            Issue.record("accepted issuer \(issuer)"); return
        }
    }

    @Test func endpointsMustBeHTTPS() {
        for field in ["token_endpoint", "device_authorization_endpoint", "jwks_uri"] {
            for bad in ["http://login.example.test/x", "https://user@login.example.test/x", "https://login.example.test/x#f", "ftp://x", "https://"] {
                var o = (try? JSONParser.parse(FlowFixtures.discoveryJSON()).get())?.objectValue ?? [:]
                o[field] = .string(bad)
                let doc = Self.encode(o)
                #expect(Self.validate(doc) == .failure(.notHTTPS(field)), "\(field)=\(bad)")
            }
        }
    }

    @Test func requiredMembersMustBePresent() {
        for field in ["issuer", "token_endpoint", "device_authorization_endpoint", "jwks_uri"] {
            var o = (try? JSONParser.parse(FlowFixtures.discoveryJSON()).get())?.objectValue ?? [:]
            o[field] = nil
            #expect(Self.validate(Self.encode(o)) == .failure(.missing(field)))
        }
        let outcome = Outcome.discovery(.missing("device_authorization_endpoint"))
        #expect(outcome.kind == .serviceError)
    }

    @Test func garbageIsMalformedAndCountsAsUnavailable() {
        guard case .failure(let e) = Self.validate("<html>") else { Issue.record("accepted"); return }
        #expect(e == .malformed("not a JSON object"))
        #expect(Outcome.discovery(e).kind == .unavailable)
        #expect(Outcome.discovery(.unreachable(.tls)).kind == .unavailable)
        #expect(Outcome.discovery(.serverError(503)).kind == .unavailable)
        #expect(Outcome.discovery(.httpStatus(400)).kind == .serviceError)
        #expect(Outcome.discovery(.issuerMismatch(expected: "a", found: "b")).kind == .serviceError)
    }

    // MARK: oidc

    @Test func oidcDocumentURLDropsATrailingSlash() {
        #expect(Discovery.documentURL(for: Self.oidc("https://idp.example.test/")) == "https://idp.example.test/.well-known/openid-configuration")
        #expect(Discovery.documentURL(for: Self.oidc()) == "https://idp.example.test/realms/corp/.well-known/openid-configuration")
    }

    @Test func oidcIssuerMustMatchExactly() throws {
        let base = "https://idp.example.test/realms/corp"
        let ok = try Self.validate(FlowFixtures.discoveryJSON(issuer: base, base: base), Self.oidc()).get()
        #expect(ok.expectedTokenIssuer == base)
        for other in [base + "/", "https://IDP.example.test/realms/corp", "https://idp.example.test/realms/Corp", "https://idp.example.test/realms/{tenantid}"] {
            guard case .failure(.issuerMismatch) = Self.validate(FlowFixtures.discoveryJSON(issuer: other, base: base), Self.oidc()) else {
                Issue.record("accepted \(other)"); continue
            }
        }
    }

    @Test func oidcAlgorithmsAreNarrowedToWhatTheProviderUses() throws {
        let base = "https://idp.example.test/realms/corp"
        let es = FlowFixtures.discoveryJSON(issuer: base, base: base)
            .replacingRS256(with: #"["ES256","HS256","none"]"#)
        let m = try Self.validate(es, Self.oidc()).get()
        #expect(Discovery.allowedAlgorithms(m, settings: Self.oidc()) == [.es256])

        let onlyHMAC = FlowFixtures.discoveryJSON(issuer: base, base: base).replacingRS256(with: #"["HS256"]"#)
        #expect(Self.validate(onlyHMAC, Self.oidc()) == .failure(.noUsableAlgorithm))

        let unstated = FlowFixtures.discoveryJSON(issuer: base, base: base).replacingRS256(with: "[]")
        let u = try Self.validate(unstated, Self.oidc()).get()
        #expect(Discovery.allowedAlgorithms(u, settings: Self.oidc()) == JWSAlgorithm.oidcAllowList)
    }

    @Test func azureIgnoresAdvertisedAlgorithmsBeyondRS256() throws {
        let doc = FlowFixtures.discoveryJSON().replacingRS256(with: #"["RS256","HS256","none"]"#)
        let m = try Self.validate(doc).get()
        #expect(Discovery.allowedAlgorithms(m, settings: FlowFixtures.azureSettings()) == [.rs256])
    }

    // MARK: helpers

    /// Minimal JSON writer for test documents (strings and string arrays only).
    static func encode(_ o: [String: JSONValue]) -> String {
        func value(_ v: JSONValue) -> String {
            switch v {
            case .string(let s): return "\"" + s + "\""
            case .array(let a): return "[" + a.map(value).joined(separator: ",") + "]"
            default: return "null"
            }
        }
        return "{" + o.map { "\"\($0.key)\":" + value($0.value) }.joined(separator: ",") + "}"
    }
}

extension String {
    func replacingRS256(with list: String) -> String {
        let parts = self.split(separator: "[\"RS256\"]", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count == 2 ? parts[0] + list + parts[1] : self
    }
}

extension DiscoveryTests {
    @Test func hostCaseInTheConfiguredURLDoesNotMatter() throws {
        var s = FlowFixtures.azureSettings()
        s.url = "https://LOGIN.Example.test/\(FlowFixtures.tenant)"
        let m = try Self.validate(FlowFixtures.discoveryJSON(), s).get()
        #expect(m.expectedTokenIssuer == FlowFixtures.issuer)
    }
}
