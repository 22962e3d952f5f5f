import Testing
@testable import JCFedCore

/// Discovery endpoints and the authority's host: for `type = azure` every endpoint must be on
/// the host and port of idp.url (a configuration error otherwise); for `oidc` other hosts are
/// allowed and logged once at notice per fetched document.
@Suite struct DiscoveryHostTests {
    static let fields = ["device_authorization_endpoint", "token_endpoint", "jwks_uri"]

    static func document(_ field: String, _ url: String, issuer: String = FlowFixtures.issuer,
                         base: String = FlowFixtures.authority) -> String {
        var o = (try? JSONParser.parse(FlowFixtures.discoveryJSON(issuer: issuer, base: base)).get())?.objectValue ?? [:]
        o[field] = .string(url)
        return DiscoveryTests.encode(o)
    }

    @Test(arguments: [
        "https://evil.example.test/x",                      // another host
        "https://login.example.test.evil.example/x",        // a suffix of ours is not ours
        "https://login.example.test:8443/x",                // another port
        "https://evil.example.test?login.example.test/",    // the host ends at '?'
        "https://127.0.0.1/x",
        "https://[::1]/x",
    ])
    func azureEndpointsOffTheAuthorityAreAConfigurationError(url: String) {
        for field in Self.fields {
            let result = DiscoveryTests.validate(Self.document(field, url))
            guard case .failure(let e) = result, case .offAuthorityHost(field, url, "login.example.test:443") = e else {
                Issue.record("\(field)=\(url): \(result)"); continue
            }
            #expect(!e.isUnavailable)
            let outcome = Outcome.discovery(e)
            #expect(outcome.kind == .serviceError)
            #expect(outcome.userMessage == Outcome.misconfiguredMessage)
            #expect(outcome.adminDetail.contains(field) && outcome.adminDetail.contains(url) && outcome.adminDetail.contains("login.example.test"),
                    "\(outcome.adminDetail)")
        }
    }

    @Test(arguments: [
        "https://login.example.test/t/oauth2/v2.0/token",
        "https://LOGIN.Example.TEST/t/oauth2/v2.0/token",   // host names are case-insensitive
        "https://login.example.test:443/t/oauth2/v2.0/token", // the default port, explicit
    ])
    func azureEndpointsOnTheAuthorityAreAccepted(url: String) throws {
        let m = try DiscoveryTests.validate(Self.document("token_endpoint", url)).get()
        #expect(m.tokenEndpoint == url)
        #expect(Discovery.offAuthorityEndpoints(m, settings: FlowFixtures.azureSettings()).isEmpty)
    }

    @Test func azureAuthorityWithAPortNeedsTheSamePort() throws {
        var s = FlowFixtures.azureSettings()
        s.url = "https://127.0.0.1:8443/\(FlowFixtures.tenant)"
        let base = "https://127.0.0.1:8443/\(FlowFixtures.tenant)"
        let issuer = base + "/v2.0"
        let ok = FlowFixtures.discoveryJSON(issuer: issuer, base: base)
        _ = try DiscoveryTests.validate(ok, s).get()
        let other = Self.document("jwks_uri", "https://127.0.0.1:9443/keys", issuer: issuer, base: base)
        #expect(DiscoveryTests.validate(other, s)
                == .failure(.offAuthorityHost(field: "jwks_uri", url: "https://127.0.0.1:9443/keys", host: "127.0.0.1:8443")))
    }

    @Test func authorityParsing() {
        #expect(Discovery.authority(of: "https://Login.Example.test/x") == "login.example.test:443")
        #expect(Discovery.authority(of: "https://login.example.test:0443") == "login.example.test:443")
        #expect(Discovery.authority(of: "https://[::1]:8443/x") == "[::1]:8443")
        #expect(Discovery.authority(of: "https://h?q") == "h:443")
        #expect(Discovery.authority(of: "http://h/x") == nil)
        #expect(Discovery.authority(of: "https://u@h/x") == nil)
        #expect(Discovery.authority(of: "https://h:x/") == nil)
        #expect(Discovery.authority(of: "https://:443/") == nil)
        #expect(Discovery.authority(of: "https://[::1/") == nil)
        #expect(Discovery.authority(of: "https://") == nil)
    }

    // MARK: oidc

    static let oidcBase = "https://idp.example.test/realms/corp"

    @Test func oidcEndpointsOnOtherHostsAreAllowedAndLoggedOnceAtNotice() throws {
        let clock = FixedClock()
        let transport = FakeTransport(clock: clock)
        let doc = Self.document("token_endpoint", "https://tokens.example.test/token", issuer: Self.oidcBase, base: Self.oidcBase)
        transport.on("/openid-configuration", .success(FlowFixtures.response(200, doc)))
        let log = MemoryLogSink()
        let client = ProviderClient(settings: DiscoveryTests.oidc(), transport: transport, cache: nil, clock: clock,
                                    budget: RequestBudget(clock: clock, deadline: clock.monotonicMillis() + 60_000, httpTimeout: 10),
                                    log: log)
        let m = try client.metadata().get()
        #expect(m.tokenEndpoint == "https://tokens.example.test/token")
        let notices = log.lines.filter { $0.0 == .notice }.map { $0.1 }
        #expect(notices.count == 1, "\(log.lines)")
        #expect(notices.first?.contains("token_endpoint 'https://tokens.example.test/token'") == true, "\(notices)")
    }

    @Test func oidcEndpointsOnTheIssuerHostAreNotLogged() throws {
        let clock = FixedClock()
        let transport = FakeTransport(clock: clock)
        transport.on("/openid-configuration", .success(FlowFixtures.response(200, FlowFixtures.discoveryJSON(issuer: Self.oidcBase, base: Self.oidcBase))))
        let log = MemoryLogSink()
        let client = ProviderClient(settings: DiscoveryTests.oidc(), transport: transport, cache: nil, clock: clock,
                                    budget: RequestBudget(clock: clock, deadline: clock.monotonicMillis() + 60_000, httpTimeout: 10),
                                    log: log)
        _ = try client.metadata().get()
        #expect(log.lines.filter { $0.0 == .notice }.isEmpty, "\(log.lines)")
    }

    @Test func azureOffHostDocumentIsRefusedThroughTheClientAndNotCached() {
        let clock = FixedClock()
        let transport = FakeTransport(clock: clock)
        transport.on("/openid-configuration", .success(FlowFixtures.response(200,
            Self.document("device_authorization_endpoint", "https://evil.example.test/devicecode"))))
        let client = ProviderClient(settings: FlowFixtures.azureSettings(), transport: transport, cache: nil, clock: clock,
                                    budget: RequestBudget(clock: clock, deadline: clock.monotonicMillis() + 60_000, httpTimeout: 10),
                                    log: MemoryLogSink())
        guard case .failure(.offAuthorityHost(field: "device_authorization_endpoint", _, _)) = client.metadata() else {
            Issue.record("accepted"); return
        }
        #expect(transport.requests(to: "/devicecode").isEmpty)
    }
}
