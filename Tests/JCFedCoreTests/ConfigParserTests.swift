import Testing
@testable import JCFedCore

/// Sample values shared by the config tests.
enum ConfigSample {
    static let path = "/etc/jcfed/jcfed.conf"
    static let tenant = TestIdP.tenant
    static let otherTenant = TestIdP.otherTenant
    static let clientID = "0b6a9f52-3c1e-4d0e-9b5c-2f1a7c0e8d11"
    static let otherClientID = "e3b0c442-98fc-4c14-9afb-f4c8996fb924"
    static let authority = "https://login.microsoftonline.com/" + tenant

    /// A file with the two required keys followed by `entries` (full keys such as "idp.qr"),
    /// grouped by section in order of first appearance. Given required keys replace the defaults.
    static func text(_ entries: [(String, String)], required: Bool = true) -> String {
        var all: [(String, String)] = []
        if required {
            if !entries.contains(where: { $0.0 == "idp.url" }) { all.append(("idp.url", authority)) }
            if !entries.contains(where: { $0.0 == "idp.client_id" }) { all.append(("idp.client_id", clientID)) }
        }
        all += entries
        var sections: [String] = []
        var lines: [String: [String]] = [:]
        for (fullKey, value) in all {
            let parts = fullKey.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if lines[parts[0]] == nil { sections.append(parts[0]); lines[parts[0]] = [] }
            lines[parts[0], default: []].append(parts[1] + " = " + value)
        }
        return sections.map { "[\($0)]\n" + (lines[$0] ?? []).joined(separator: "\n") }.joined(separator: "\n") + "\n"
    }

    static func parse(_ text: String) -> Result<ConfigParseResult, ConfigError> {
        ConfigParser.parse(text, path: path)
    }

    static func parse(_ entries: [(String, String)]) -> Result<ConfigParseResult, ConfigError> {
        parse(text(entries))
    }

    /// The error parsing `text` gives, nil when it parses.
    static func error(_ text: String) -> ConfigError? {
        if case .failure(let e) = parse(text) { return e }
        return nil
    }
}

/// One key set to an accepted value, and how to see it arrived.
struct GoodValue: Sendable, CustomTestStringConvertible {
    var key: String
    var value: String
    var check: @Sendable (JCFedConfig) -> Bool
    var testDescription: String { "\(key) = \(value)" }
}

/// One key set to a value that must be refused, and a phrase the problem must contain.
struct BadValue: Sendable, CustomTestStringConvertible {
    var key: String
    var value: String
    var problem: String
    var testDescription: String { "\(key) = \(value)" }
}

@Suite struct ConfigParserTests {
    typealias S = ConfigSample

    static let goodValues: [GoodValue] = [
        .init(key: "idp.type", value: "oidc") { $0.idp.type == .oidc },
        .init(key: "idp.name", value: "Contoso Entra ID") { $0.idp.name == "Contoso Entra ID" },
        .init(key: "idp.url", value: "https://login.microsoftonline.com/" + S.otherTenant) {
            $0.idp.url == "https://login.microsoftonline.com/" + S.otherTenant && $0.idp.tenantID == S.otherTenant
        },
        .init(key: "idp.client_id", value: S.otherClientID) { $0.idp.clientID == S.otherClientID },
        .init(key: "idp.client_secret_file", value: "/etc/jcfed/client_secret") { $0.idp.clientSecretFile == "/etc/jcfed/client_secret" },
        .init(key: "idp.client_secret", value: "Abc8Q~x.y_z-0") { $0.idp.clientSecret == "Abc8Q~x.y_z-0" },
        .init(key: "idp.scopes", value: "openid profile email offline_access") {
            $0.idp.scopes == ["openid", "profile", "email", "offline_access"]
        },
        .init(key: "idp.ca_file", value: "/etc/jcfed/ca.pem") { $0.idp.caFile == "/etc/jcfed/ca.pem" },
        .init(key: "idp.proxy", value: "http://proxy.example.net:3128") { $0.idp.proxy == "http://proxy.example.net:3128" },
        .init(key: "idp.http_timeout", value: "5") { $0.idp.httpTimeout == 5 },
        .init(key: "idp.login_timeout", value: "300") { $0.idp.loginTimeout == 300 },
        .init(key: "idp.clock_skew", value: "0") { $0.idp.clockSkew == 0 },
        .init(key: "idp.cache_dir", value: "/run/jcfed") { $0.idp.cacheDir == "/run/jcfed" },
        .init(key: "idp.cache_max_stale", value: "0") { $0.idp.cacheMaxStale == 0 },
        .init(key: "idp.qr", value: "off") { $0.idp.qr == .off },
        .init(key: "mapping.claims", value: "upn email") { $0.mapping.claims == ["upn", "email"] },
        .init(key: "mapping.directory", value: "/srv/jcfed/directory.json") { $0.mapping.directory == "/srv/jcfed/directory.json" },
        .init(key: "mapping.fallback", value: "none") { $0.mapping.fallback == MappingFallback.none },
        .init(key: "mapping.allowed_domains", value: "contoso.com, Fabrikam.COM xn--bcher-kva.de") {
            $0.mapping.allowedDomains == ["contoso.com", "fabrikam.com", "xn--bcher-kva.de"]
        },
        .init(key: "mapping.min_uid", value: "2000") { $0.mapping.minUID == 2000 },
        .init(key: "mapping.state_dir", value: "/var/lib/jcfed-pins") { $0.mapping.stateDir == "/var/lib/jcfed-pins" },
        .init(key: "mapping.pin_identity", value: "no") { $0.mapping.pinIdentity == false },
        .init(key: "mapping.allow_guests", value: "yes") { $0.mapping.allowGuests == true },
        .init(key: "mapping.trust_preferred_username", value: "yes") { $0.mapping.trustPreferredUsername == true },
        .init(key: "mapping.directory_max_age", value: "0") { $0.mapping.directoryMaxAge == 0 },
        .init(key: "mapping.stale_directory", value: "deny") { $0.mapping.staleDirectory == .deny },
        .init(key: "routing.groups", value: "linux-admins, developers") { $0.routing.groups == ["linux-admins", "developers"] },
        .init(key: "jumpcloud.api_url", value: "https://console.eu.jumpcloud.com") { $0.jumpcloud.apiURL == "https://console.eu.jumpcloud.com" },
        .init(key: "jumpcloud.api_key_file", value: "/root/jumpcloud.key") { $0.jumpcloud.apiKeyFile == "/root/jumpcloud.key" },
        .init(key: "jumpcloud.org_id", value: "5f1e8d2c9a7b6c5d4e3f2a1b") { $0.jumpcloud.orgID == "5f1e8d2c9a7b6c5d4e3f2a1b" },
        .init(key: "jumpcloud.agent_dir", value: "/opt/jc-test") { $0.jumpcloud.agentDir == "/opt/jc-test" },
        .init(key: "pam.offline", value: "deny") { $0.pam.offline == .deny },
        .init(key: "pam.services", value: "sshd, login") { $0.pam.services == ["sshd", "login"] },
    ]

    /// Keys whose every value is acceptable (free text), so they have no bad value.
    static let freeTextKeys: Set<String> = ["idp.client_secret", "jumpcloud.org_id"]

    static let badValues: [BadValue] = [
        .init(key: "idp.type", value: "saml", problem: "must be azure or oidc"),
        .init(key: "routing.groups", value: "\"Linux Admins", problem: "not closed"),
        .init(key: "idp.name", value: String(repeating: "n", count: 129), problem: "1 to 128 characters"),
        .init(key: "idp.url", value: "http://login.microsoftonline.com/" + S.tenant, problem: "https://"),
        .init(key: "idp.url", value: "https://", problem: "no host"),
        .init(key: "idp.url", value: "https:///" + S.tenant, problem: "no host"),
        .init(key: "idp.url", value: S.authority + "?x=1", problem: "query"),
        .init(key: "idp.url", value: "https://user@login.microsoftonline.com/" + S.tenant, problem: "user info"),
        .init(key: "idp.client_id", value: "two words", problem: "printable ASCII"),
        .init(key: "idp.client_id", value: "", problem: "non-empty"),
        .init(key: "idp.client_secret_file", value: "client_secret", problem: "absolute path"),
        .init(key: "idp.client_secret_file", value: "/etc/jcfed/../shadow", problem: "'..'"),
        .init(key: "idp.scopes", value: "profile email", problem: "must include openid"),
        .init(key: "idp.scopes", value: "openid \"x\"", problem: "not allowed in a scope"),
        .init(key: "idp.ca_file", value: "ca.pem", problem: "absolute path"),
        .init(key: "idp.proxy", value: "ftp://proxy:21", problem: "http://"),
        .init(key: "idp.proxy", value: "http://", problem: "has no host"),
        .init(key: "idp.proxy", value: "http://proxy example:3128", problem: "spaces"),
        .init(key: "idp.http_timeout", value: "0", problem: "from 1 to 120"),
        .init(key: "idp.http_timeout", value: "121", problem: "from 1 to 120"),
        .init(key: "idp.http_timeout", value: "10s", problem: "whole number"),
        .init(key: "idp.http_timeout", value: "", problem: "whole number"),
        .init(key: "idp.login_timeout", value: "9", problem: "from 10 to 3600"),
        .init(key: "idp.login_timeout", value: "3601", problem: "from 10 to 3600"),
        .init(key: "idp.clock_skew", value: "-1", problem: "from 0 to 600"),
        .init(key: "idp.clock_skew", value: "601", problem: "from 0 to 600"),
        .init(key: "idp.cache_dir", value: "var/cache/jcfed", problem: "absolute path"),
        .init(key: "idp.cache_max_stale", value: "2592001", problem: "from 0 to 2592000"),
        .init(key: "idp.cache_max_stale", value: "7d", problem: "whole number"),
        .init(key: "idp.qr", value: "maybe", problem: "auto, on or off"),
        .init(key: "mapping.claims", value: "", problem: "at least one claim"),
        .init(key: "mapping.claims", value: "upn sub", problem: "unknown claim 'sub'"),
        // A v1 claim the mapper never reads: accepting it would silently map nobody.
        .init(key: "mapping.claims", value: "unique_name", problem: "unknown claim 'unique_name'"),
        .init(key: "mapping.directory", value: "directory.json", problem: "absolute path"),
        .init(key: "mapping.fallback", value: "email", problem: "none, localpart or full"),
        .init(key: "mapping.allowed_domains", value: "contoso", problem: "not a domain name"),
        .init(key: "mapping.allowed_domains", value: "bücher.de", problem: "not a domain name"),
        .init(key: "mapping.allowed_domains", value: "-bad.com", problem: "not a domain name"),
        .init(key: "mapping.allowed_domains", value: "exa_mple.com", problem: "not a domain name"),
        .init(key: "mapping.min_uid", value: "0", problem: "root is never federated"),
        .init(key: "mapping.min_uid", value: "4294967296", problem: "whole number"),
        .init(key: "mapping.state_dir", value: "jcfed", problem: "absolute path"),
        .init(key: "mapping.pin_identity", value: "maybe", problem: "yes or no"),
        .init(key: "mapping.allow_guests", value: "2", problem: "yes or no"),
        .init(key: "mapping.trust_preferred_username", value: "maybe", problem: "yes or no"),
        .init(key: "mapping.directory_max_age", value: "-1", problem: "whole number"),
        .init(key: "mapping.stale_directory", value: "allow", problem: "warn or deny"),
        .init(key: "jumpcloud.api_url", value: "http://console.jumpcloud.com", problem: "https://"),
        .init(key: "jumpcloud.api_key_file", value: "api.key", problem: "absolute path"),
        .init(key: "jumpcloud.agent_dir", value: "opt/jc", problem: "absolute path"),
        .init(key: "pam.offline", value: "allow", problem: "local-password or deny"),
        .init(key: "pam.services", value: "sshd ../../etc/shadow", problem: "not a PAM service name"),
    ]

    // MARK: every key

    @Test func goodValuesCoverEveryKey() {
        #expect(Set(Self.goodValues.map(\.key)) == Set(ConfigKeys.names))
    }

    @Test func badValuesCoverEveryKeyThatCanBeWrong() {
        let covered = Set(Self.badValues.map(\.key)).union(Self.freeTextKeys)
        #expect(covered == Set(ConfigKeys.names))
    }

    @Test(arguments: goodValues)
    func parsesGoodValue(_ good: GoodValue) throws {
        let parsed = try S.parse([(good.key, good.value)]).get()
        #expect(good.check(parsed.config))
        #expect(parsed.warnings.isEmpty)
    }

    @Test(arguments: badValues)
    func refusesBadValueNamingFileLineAndKey(_ bad: BadValue) {
        // Two comment lines first so the line number is not trivially 1 or 2.
        let text = "# jcfed\n\n" + S.text([(bad.key, bad.value)])
        let name = bad.key.split(separator: ".").last.map(String.init) ?? bad.key
        let expectedLine = (text.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex(where: { $0.hasPrefix(name + " =") }) ?? -1) + 1
        guard case .failure(let e) = S.parse(text) else {
            Issue.record("accepted \(bad.key) = \(bad.value)")
            return
        }
        #expect(e.path == S.path)
        #expect(e.key == bad.key)
        #expect(e.line == expectedLine)
        #expect(e.problem.contains(bad.problem), "problem was: \(e.problem)")
        #expect(e.description.hasPrefix("\(S.path):\(expectedLine): \(bad.key): "))
    }

    @Test func everyAcceptedClaimIsOneTheMapperReads() throws {
        let identity = VerifiedIdentity(issuer: "i", tid: S.tenant, oid: "o", sub: "s", upn: "u@contoso.com",
                                        preferredUsername: "p@contoso.com", email: "e@contoso.com")
        let claims = try S.parse([("mapping.claims", "upn preferred_username email")]).get().config.mapping.claims
        #expect(claims.allSatisfy { identity.claim($0) != nil })
    }

    @Test func valuesAreCaseInsensitiveWhereTheyAreWords() throws {
        let c = try S.parse([("idp.type", "AZURE"), ("idp.qr", "On"), ("mapping.fallback", "FULL"),
                             ("mapping.pin_identity", "TRUE"), ("pam.offline", "Local-Password")]).get().config
        #expect(c.idp.type == .azure)
        #expect(c.idp.qr == .on)
        #expect(c.mapping.fallback == .full)
        #expect(c.mapping.pinIdentity)
        #expect(c.pam.offline == .localPassword)
    }

    @Test(arguments: ["yes", "true", "on", "1"], ["no", "false", "off", "0"])
    func booleanSpellings(_ yes: String, _ no: String) throws {
        let c = try S.parse([("mapping.allow_guests", yes), ("mapping.pin_identity", no)]).get().config
        #expect(c.mapping.allowGuests)
        #expect(!c.mapping.pinIdentity)
    }

    @Test func emptyOptionalValuesMeanUnset() throws {
        let c = try S.parse([("idp.client_secret_file", ""), ("idp.ca_file", ""), ("idp.proxy", ""),
                             ("idp.client_secret", ""), ("jumpcloud.org_id", ""), ("routing.groups", ""),
                             ("mapping.allowed_domains", ""), ("pam.services", "")]).get().config
        #expect(c.idp.clientSecretFile == nil)
        #expect(c.idp.caFile == nil)
        #expect(c.idp.proxy == nil)
        #expect(c.idp.clientSecret == nil)
        #expect(c.jumpcloud.orgID == nil)
        #expect(c.routing.groups.isEmpty)
        #expect(c.mapping.allowedDomains.isEmpty)
        #expect(c.pam.services.isEmpty)
    }

    // MARK: flip every default

    /// Every key set to a value that is not its default. Secret and secret file exclude each
    /// other, so the inline secret is flipped in a second file.
    static let flipped: [(String, String)] = [
        ("idp.type", "oidc"), ("idp.name", "Example IdP"), ("idp.url", "https://idp.example.com/realms/corp"),
        ("idp.client_id", "jcfed-cli"), ("idp.client_secret_file", "/etc/jcfed/secret"),
        ("idp.scopes", "openid email"), ("idp.ca_file", "/etc/jcfed/ca.pem"), ("idp.proxy", "socks5h://127.0.0.1:1080"),
        ("idp.http_timeout", "7"), ("idp.login_timeout", "90"), ("idp.clock_skew", "30"),
        ("idp.cache_dir", "/var/cache/jcfed-test"), ("idp.cache_max_stale", "86400"), ("idp.qr", "on"),
        ("mapping.claims", "email upn"), ("mapping.directory", "/etc/jcfed/directory.json"),
        ("mapping.fallback", "full"), ("mapping.allowed_domains", "example.com"), ("mapping.min_uid", "500"),
        ("mapping.state_dir", "/var/lib/jcfed-test"), ("mapping.pin_identity", "no"), ("mapping.allow_guests", "yes"), ("mapping.trust_preferred_username", "yes"),
        ("mapping.directory_max_age", "3600"), ("mapping.stale_directory", "deny"),
        ("routing.groups", "ssh-users"),
        ("jumpcloud.api_url", "https://console.eu.jumpcloud.com"), ("jumpcloud.api_key_file", "/etc/jcfed/jc.key"),
        ("jumpcloud.org_id", "org1"), ("jumpcloud.agent_dir", "/opt/jc2"),
        ("pam.offline", "deny"), ("pam.services", "sshd"),
    ]

    /// "section.field" -> printed value, for every stored field of every section.
    static func fields(_ c: JCFedConfig) -> [String: String] {
        var out: [String: String] = [:]
        for section in Mirror(reflecting: c).children {
            guard let sectionName = section.label else { continue }
            for field in Mirror(reflecting: section.value).children {
                guard let name = field.label else { continue }
                out[sectionName + "." + name] = String(describing: field.value)
            }
        }
        return out
    }

    @Test func flipEveryDefault() throws {
        let keysSet = Set(Self.flipped.map(\.0)).union(["idp.client_secret"])
        #expect(keysSet == Set(ConfigKeys.names), "the flip list must name every key")

        let withFile = try S.parse(S.text(Self.flipped, required: false)).get()
        #expect(withFile.warnings.isEmpty)
        var inlineEntries = Self.flipped.filter { $0.0 != "idp.client_secret_file" }
        inlineEntries.append(("idp.client_secret", "inline-secret"))
        let withInline = try S.parse(S.text(inlineEntries, required: false)).get()

        let defaults = Self.fields(JCFedConfig())
        let a = Self.fields(withFile.config)
        let b = Self.fields(withInline.config)
        #expect(defaults.count >= 30)
        for (field, defaultValue) in defaults {
            let changed = field == "idp.clientSecret" ? b[field] != defaultValue : a[field] != defaultValue
            #expect(changed, "\(field) kept its default \(defaultValue): no key sets it, or the setter ignores the value")
        }
        #expect(withInline.config.idp.clientSecret == "inline-secret")
        #expect(withFile.config.idp.httpTimeout == 7)
        #expect(withFile.config.mapping.minUID == 500)
    }

    @Test func defaultsAreTheDocumentedOnes() {
        let c = JCFedConfig()
        #expect(c.idp.type == .azure)
        #expect(c.idp.name == "Entra OIDC")
        #expect(c.idp.scopes == ["openid", "profile", "email"])
        #expect(c.idp.httpTimeout == 10)
        #expect(c.idp.loginTimeout == 110)
        #expect(c.idp.clockSkew == 60)
        #expect(c.idp.cacheDir == "/var/cache/jcfed")
        #expect(c.idp.qr == .auto)
        #expect(c.mapping.claims == ["upn", "preferred_username", "email"])
        #expect(c.mapping.directory == "/var/lib/jcfed/directory.json")
        #expect(c.mapping.fallback == .localpart)
        #expect(c.mapping.minUID == 1000)
        #expect(c.mapping.stateDir == "/var/lib/jcfed")
        #expect(c.mapping.pinIdentity)
        #expect(!c.mapping.allowGuests)
        #expect(c.mapping.directoryMaxAge == 604_800)
        #expect(c.mapping.staleDirectory == .warn)
        #expect(c.routing.groups.isEmpty)
        #expect(c.jumpcloud.apiURL == "https://console.jumpcloud.com")
        #expect(c.jumpcloud.apiKeyFile == "/etc/jcfed/jumpcloud_api_key")
        #expect(c.jumpcloud.agentDir == "/opt/jc")
        #expect(c.pam.offline == .localPassword)
    }

    // MARK: INI syntax

    @Test func keyBeforeAnySectionIsAnError() {
        #expect(S.error("url = \(S.authority)\n") == (ConfigError(path: S.path, line: 1, key: "url", problem: "key outside of any [section]")))
    }

    @Test(arguments: ["[idp", "[idp  # comment", "[]", "[ ]", "[\t]", "["])
    func malformedSectionHeader(_ header: String) {
        let r = S.parse("# c\n\(header)\nurl = \(S.authority)\n")
        guard case .failure(let e) = r else { Issue.record("accepted header \(header)"); return }
        #expect(e.line == 2)
        #expect(e.problem == "malformed section header")
    }

    @Test func lineWithoutEqualsIsAnError() {
        #expect(S.error("[idp]\nurl \(S.authority)\n") == (ConfigError(path: S.path, line: 2, problem: "expected 'key = value'")))
    }

    @Test func equalsWithoutKeyIsAnError() {
        guard case .failure(let e) = S.parse("[idp]\n = x\n") else { Issue.record("accepted"); return }
        #expect(e.line == 2)
        #expect(e.problem.contains("missing key"))
    }

    @Test func duplicateKeyNamesBothLines() {
        let text = "[idp]\nurl = \(S.authority)\nclient_id = \(S.clientID)\nhttp_timeout = 5\n\n[idp]\nHTTP_TIMEOUT = 6\n"
        #expect(S.error(text) == (ConfigError(path: S.path, line: 7, key: "idp.http_timeout", problem: "set twice (first on line 4)")))
    }

    @Test func unknownKeysAndSectionsAreWarningsNotErrors() throws {
        let text = S.text([("idp.login_timout", "100"), ("future.thing", "1"), ("idp.qr", "off")])
        let parsed = try S.parse(text).get()
        #expect(parsed.config.idp.qr == .off)
        #expect(parsed.config.idp.loginTimeout == 110)
        #expect(parsed.warnings.count == 2)
        #expect(parsed.warnings.first == ConfigError(path: S.path, line: 4, key: "idp.login_timout", problem: "unknown key, ignored"))
        #expect(parsed.warnings.last?.key == "future.thing")
        #expect(parsed.warnings.last?.line == 7)
    }

    @Test func trailingCommentsAreStripped() throws {
        let text = """
        [idp]   
        url = \(S.authority)   # the directory (tenant) id
        client_id = \(S.clientID)\t# app id
        client_secret = ab#cd
        http_timeout = 15 # seconds
        ; a semicolon comment
          # an indented comment
        """
        let c = try S.parse(text).get().config
        #expect(c.idp.url == S.authority)
        #expect(c.idp.clientID == S.clientID)
        #expect(c.idp.httpTimeout == 15)
        // '#' with no blank before it is part of the value.
        #expect(c.idp.clientSecret == "ab#cd")
    }

    @Test func crlfLineEndings() throws {
        let text = S.text([("idp.http_timeout", "12"), ("mapping.claims", "upn email")])
            .split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
        #expect(text.utf8.contains(13))
        let c = try S.parse(text).get().config
        #expect(c.idp.url == S.authority)
        #expect(c.idp.clientID == S.clientID)
        #expect(c.idp.httpTimeout == 12)
        #expect(c.mapping.claims == ["upn", "email"])
        // Line numbers still count CRLF lines.
        guard case .failure(let e) = S.parse("[idp]\r\nurl = \(S.authority)\r\nhttp_timeout = x\r\n") else {
            Issue.record("accepted"); return
        }
        #expect(e.line == 3)
    }

    @Test func sectionAndKeyNamesAreCaseInsensitive() throws {
        let c = try S.parse("[IdP]\nURL = \(S.authority)\nClient_ID = \(S.clientID)\n").get().config
        #expect(c.idp.url == S.authority)
    }

    @Test(arguments: ["\u{0}", "\u{1b}[2J", "\u{7f}", "\u{8}"])
    func controlCharactersAreRefused(_ control: String) {
        // A NUL would cut a path or URL short when it is handed to C; an escape could forge a log line.
        let text = "[idp]\nurl = \(S.authority)\nclient_id = \(S.clientID)\nca_file = /etc/jcfed/ca.pem\(control)x\n"
        guard case .failure(let e) = S.parse(text) else { Issue.record("accepted a control character"); return }
        #expect(e.line == 4)
        #expect(e.problem.contains("control character"))
    }

    // MARK: whole-file rules

    @Test func urlIsRequired() {
        guard case .failure(let e) = S.parse("[idp]\nclient_id = \(S.clientID)\n") else { Issue.record("accepted"); return }
        #expect(e.key == "idp.url")
        #expect(e.problem == "is required")
        #expect(e.description == "\(S.path): idp.url: is required")
    }

    @Test func clientIDIsRequired() {
        guard case .failure(let e) = S.parse("[idp]\nurl = \(S.authority)\n") else { Issue.record("accepted"); return }
        #expect(e.key == "idp.client_id")
        #expect(e.problem == "is required")
    }

    @Test func emptyFileNeedsURL() {
        guard case .failure(let e) = S.parse("") else { Issue.record("accepted"); return }
        #expect(e.key == "idp.url")
    }

    @Test(arguments: ["common", "organizations", "consumers", "Common"])
    func multiTenantAuthoritiesAreRefused(_ tenant: String) {
        guard case .failure(let e) = S.parse([("idp.url", "https://login.microsoftonline.com/" + tenant)]) else {
            Issue.record("accepted \(tenant)"); return
        }
        #expect(e.key == "idp.url")
        #expect(e.problem.contains("'\(tenant)'"))
        #expect(e.problem.contains("tenant"))
        #expect(e.problem.contains("multi-tenant"))
        // The line of the url is named too (client_id is on line 2), so the admin finds it.
        #expect(e.line == 3)
    }

    @Test(arguments: ["contoso.onmicrosoft.com", "72f988bf-86f1-41af-91ab-2d7cd011db4", "72f988bf86f141af91ab2d7cd011db47"])
    func azureTenantMustBeAGUID(_ tenant: String) {
        guard case .failure(let e) = S.parse([("idp.url", "https://login.microsoftonline.com/" + tenant)]) else {
            Issue.record("accepted \(tenant)"); return
        }
        #expect(e.key == "idp.url")
        #expect(e.problem.contains("not a directory (tenant) id"))
    }

    @Test(arguments: ["/v2.0", "/", "/oauth2/v2.0/devicecode"])
    func azureAuthorityHasNothingAfterTheTenant(_ suffix: String) {
        guard case .failure(let e) = S.parse([("idp.url", S.authority + suffix)]) else {
            Issue.record("accepted \(S.authority + suffix)"); return
        }
        #expect(e.key == "idp.url")
        #expect(e.problem.contains("nothing after the tenant"))
    }

    @Test func azureAuthorityWithoutTenantIsRefused() {
        guard case .failure(let e) = S.parse([("idp.url", "https://login.microsoftonline.com")]) else {
            Issue.record("accepted"); return
        }
        #expect(e.key == "idp.url")
        guard case .failure = S.parse([("idp.url", "https://login.microsoftonline.com//" + S.tenant)]) else {
            Issue.record("accepted an empty path segment"); return
        }
    }

    @Test func azureAcceptsOtherHostsAndUpperCaseGUIDs() throws {
        // National clouds and the test emulator use other hosts; the tenant is compared lower-cased.
        let url = "https://127.0.0.1:8443/" + S.tenant.uppercased()
        let c = try S.parse([("idp.url", url)]).get().config
        #expect(c.idp.url == url)
        #expect(c.idp.tenantID == S.tenant)
    }

    /// GUID.isValid reads bytes (it runs at every login); it accepts exactly what the split into
    /// 8-4-4-4-12 hex groups accepted.
    @Test func guidCheckAgreesWithTheGroupSplit() {
        func bySplit(_ s: String) -> Bool {
            let parts = s.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.map({ $0.count }) == [8, 4, 4, 4, 12] else { return false }
            return parts.allSatisfy { $0.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
            } }
        }
        let valid = "72f988bf-86f1-41AF-91ab-2d7cd011db47"
        var inputs = [valid, "", "-", "----", valid + "0", String(valid.dropLast()), String(valid.filter { $0 != "-" }),
                      "72f988bf-86f1-41af-91ab-2d7cd011db4\u{301}", "72f988bf-86f1-41af-91ab-2d7cd011db4g",
                      "72f988bf86f1-41af-91ab-2d7cd011db47-", "7-2f988bf86f141af91ab2d7cd011db47"]
        let scalars = Array(valid.unicodeScalars)
        var seeded = SplitMix(seed: 0x6_0_1D)
        for _ in 0..<3_000 {
            var s = scalars
            let i = Int(seeded.next() % UInt64(s.count))
            let replacement: [Unicode.Scalar] = ["-", "g", "G", "0", "F", "\u{e9}", " ", "\u{301}"]
            switch seeded.next() % 3 {
            case 0: s[i] = replacement[Int(seeded.next() % UInt64(replacement.count))]
            case 1: s.remove(at: i)
            default: s.insert(replacement[Int(seeded.next() % UInt64(replacement.count))], at: i)
            }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: s)
            inputs.append(String(view))
        }
        for s in inputs {
            #expect(GUID.isValid(s) == bySplit(s), "\(s.debugDescription)")
        }
    }

    @Test func azureClientIDMustBeAGUID() {
        guard case .failure(let e) = S.parse([("idp.client_id", "jcfed-cli")]) else { Issue.record("accepted"); return }
        #expect(e.key == "idp.client_id")
        #expect(e.problem.contains("GUID"))
        #expect(e.line == 3)
    }

    @Test func oidcAcceptsAnyIssuerAndClientID() throws {
        let c = try S.parse([("idp.type", "oidc"), ("idp.url", "https://accounts.example.com/"),
                             ("idp.client_id", "jcfed-cli")]).get().config
        #expect(c.idp.type == .oidc)
        #expect(c.idp.url == "https://accounts.example.com/")
        #expect(c.idp.tenantID == nil)
    }

    @Test func loginTimeoutMustExceedHTTPTimeout() throws {
        guard case .failure(let e) = S.parse([("idp.http_timeout", "30"), ("idp.login_timeout", "30")]) else {
            Issue.record("accepted"); return
        }
        #expect(e.key == "idp.login_timeout")
        #expect(e.problem.contains("longer than http_timeout"))
        #expect(e.line == 5)
        let c = try S.parse([("idp.http_timeout", "30"), ("idp.login_timeout", "31")]).get().config
        #expect(c.idp.loginTimeout == 31)
        // The default login_timeout (110) against a long http_timeout.
        guard case .failure = S.parse([("idp.http_timeout", "120")]) else { Issue.record("accepted"); return }
    }

    @Test func secretAndSecretFileAreExclusive() {
        guard case .failure(let e) = S.parse([("idp.client_secret_file", "/etc/jcfed/client_secret"),
                                              ("idp.client_secret", "abc")]) else {
            Issue.record("accepted"); return
        }
        #expect(e.key == "idp.client_secret")
        #expect(e.problem.contains("not both"))
    }
}
