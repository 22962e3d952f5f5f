import Testing
import JCFedCore
import JCFedCrypto

/// Attack rows on the token's shape and on its claims (see AttackTable).
extension AttackTable {
    static var shapeRows: [Attack] {
        let good = Token.good
        let parts = segments(good)
        let big = String(repeating: "x", count: 20_000)
        return [
            Attack(name: "two segments", built: "signature segment and its dot removed", reason: "a JWS has three parts",
                   expected: .malformed, token: parts[0] + "." + parts[1]),
            Attack(name: "four segments", built: "an extra .AAAA segment", reason: "a JWS has three parts (JWE has five)",
                   expected: .malformed, token: good + ".AAAA"),
            Attack(name: "one segment", built: "only the header", reason: "a JWS has three parts",
                   expected: .malformed, token: parts[0]),
            Attack(name: "empty token", built: "\"\"", reason: "nothing to validate", expected: .malformed, token: ""),
            Attack(name: "non-base64url character", built: "'+' inside the payload segment", reason: "strict alphabet",
                   expected: .malformed, token: replacing(good, segment: 1, with: "+" + parts[1].dropFirst())),
            Attack(name: "whitespace inside", built: "a newline inside the payload segment", reason: "strict alphabet",
                   expected: .malformed, token: replacing(good, segment: 1, with: String(parts[1].prefix(8)) + "\n" + parts[1].dropFirst(8))),
            Attack(name: "padding on the header", built: "'=' appended to the header segment", reason: "JWS base64url has no padding",
                   expected: .malformed, token: replacing(good, segment: 0, with: parts[0] + "=")),
            Attack(name: "padding on the signature", built: "'==' appended to the signature", reason: "JWS base64url has no padding",
                   expected: .malformed, token: good + "=="),
            Attack(name: "non-canonical base64url", built: "a header segment whose trailing bits are not zero",
                   reason: "one token has one encoding", expected: .malformed,
                   token: replacing(good, segment: 0, with: nonCanonicalHeader)),
            Attack(name: "oversized header", built: "header with a 20 KB member", reason: "size cap before any parsing",
                   expected: .tooLarge, token: Token.signed(Entra.header().with("pad", quote(big)), Entra.claims())),
            Attack(name: "oversized payload", built: "payload with a 20 KB claim", reason: "size cap",
                   expected: .tooLarge, token: claims { $0.with("pad", quote(big)) }),
            Attack(name: "oversized token", built: "20 KB appended to the signature segment", reason: "size cap",
                   expected: .tooLarge, token: good + big),
            Attack(name: "oversized garbage", built: "20 KB of '!'", reason: "the size is checked first, before the shape",
                   expected: .tooLarge, token: String(repeating: "!", count: 20_000)),
            Attack(name: "duplicate aud", built: "payload with aud twice (ours, then another)", reason: "one claim, one reading",
                   expected: .malformed, token: claims { $0.appending("aud", quote(Entra.otherClient)) }),
            Attack(name: "duplicate alg", built: "header with alg RS256 then alg none", reason: "one header, one reading",
                   expected: .malformed, token: Token.signed(Entra.header().appending("alg", quote("none")), Entra.claims())),
            Attack(name: "payload is an array", built: "payload [] signed", reason: "claims are a JSON object",
                   expected: .malformed, token: b64(Entra.header().text) + "." + b64("[]") + "." + Base64.urlEncode(sig(Entra.header(), "[]"))),
            Attack(name: "payload is a string", built: "payload \"alice\" signed", reason: "claims are a JSON object",
                   expected: .malformed, token: b64(Entra.header().text) + "." + b64("\"alice\"") + "." + Base64.urlEncode(sig(Entra.header(), "\"alice\""))),
            Attack(name: "header is an array", built: "header [\"RS256\"]", reason: "the header is a JSON object",
                   expected: .malformed, token: b64("[\"RS256\"]") + "." + parts[1] + "." + parts[2]),
            Attack(name: "header not JSON", built: "header segment encodes 'RS256'", reason: "the header is a JSON object",
                   expected: .malformed, token: b64("RS256") + "." + parts[1] + "." + parts[2]),
            Attack(name: "payload invalid UTF-8", built: "payload bytes FF FE", reason: "strict JSON",
                   expected: .malformed, token: parts[0] + "." + Base64.urlEncode([0xFF, 0xFE]) + "." + parts[2]),
        ]
    }

    /// RS256 signature of header.payload text, for rows whose payload is not an object.
    static func sig(_ header: RawObject, _ payload: String) -> [UInt8] {
        TestKeys.rsa.sign(.rs256, Array((b64(header.text) + "." + b64(payload)).utf8))
    }

    static var lifetimeRows: [Attack] {
        let exp = Entra.now + 3300
        return [
            Attack(name: "exp as a string", built: "exp \"9999999999\"", reason: "NumericDate is a JSON number",
                   expected: .badClaim, token: claims { $0.with("exp", quote("9999999999")) }),
            Attack(name: "exp missing", built: "no exp", reason: "an ID token must expire", expected: .missingClaim,
                   token: claims { $0.without("exp") }),
            Attack(name: "exp in the past", built: "exp = now - 2 h", reason: "expired", expected: .expired,
                   token: claims { $0.with("exp", "\(Entra.now - 7200)") }),
            Attack(name: "exp just beyond the skew", built: "exp = now - skew", reason: "exp must be later than now - skew",
                   expected: .expired, token: claims { $0.with("exp", "\(Entra.now - Entra.skew)") }),
            Attack(name: "exp NaN", built: "exp NaN (not JSON)", reason: "strict JSON has no NaN", expected: .malformed,
                   token: claims { $0.with("exp", "NaN") }),
            Attack(name: "exp huge", built: "exp 1e300", reason: "not a plausible time", expected: .badClaim,
                   token: claims { $0.with("exp", "1e300") }),
            Attack(name: "exp overflowing", built: "exp 1e400 (infinite as a double)", reason: "strict JSON keeps numbers finite",
                   expected: .malformed, token: claims { $0.with("exp", "1e400") }),
            Attack(name: "exp negative", built: "exp -1", reason: "not a plausible time", expected: .badClaim,
                   token: claims { $0.with("exp", "-1") }),
            Attack(name: "nbf in the future", built: "nbf = now + 2 h", reason: "not valid yet", expected: .notYetValid,
                   token: claims { $0.with("nbf", "\(Entra.now + 7200)") }),
            Attack(name: "nbf just beyond the skew", built: "nbf = now + skew + 1", reason: "skew is a bound",
                   expected: .notYetValid, token: claims { $0.with("nbf", "\(Entra.now + Entra.skew + 1)") }),
            Attack(name: "iat in the future", built: "iat = now + 1 h", reason: "issued in the future", expected: .notYetValid,
                   token: claims { $0.with("iat", "\(Entra.now + 3600)") }),
            Attack(name: "nbf as a string", built: "nbf \"0\"", reason: "NumericDate is a JSON number", expected: .badClaim,
                   token: claims { $0.with("nbf", quote("0")) }),
            Attack(name: "replayed after exp", built: "the good token presented at exp + skew + 1",
                   reason: "a captured token dies with its lifetime", expected: .expired, token: Token.good,
                   context: Entra.context(now: exp + Entra.skew + 1)),
        ]
    }

    static var audienceRows: [Attack] {
        [
            Attack(name: "aud missing", built: "no aud", reason: "the token must name its audience", expected: .missingClaim,
                   token: claims { $0.without("aud") }),
            Attack(name: "aud wrong", built: "aud = Microsoft Graph", reason: "a token for another app", expected: .audienceMismatch,
                   token: claims { $0.with("aud", quote(Entra.otherClient)) }),
            Attack(name: "aud array without us", built: "aud [graph, other]", reason: "we are not an audience",
                   expected: .audienceMismatch, token: claims { $0.with("aud", "[\(quote(Entra.otherClient)),\"x\"]") }),
            Attack(name: "aud array with extra and no azp", built: "aud [us, graph], no azp",
                   reason: "with several audiences azp must name us", expected: .audienceMismatch,
                   token: claims { $0.with("aud", "[\(quote(Entra.client)),\(quote(Entra.otherClient))]") }),
            Attack(name: "aud array with extra and foreign azp", built: "aud [us, graph], azp = graph",
                   reason: "the authorized party is another client", expected: .audienceMismatch,
                   token: claims { $0.with("aud", "[\(quote(Entra.client)),\(quote(Entra.otherClient))]").with("azp", quote(Entra.otherClient)) }),
            Attack(name: "aud is a number", built: "aud 42", reason: "aud is a string or an array of strings",
                   expected: .badClaim, token: claims { $0.with("aud", "42") }),
            Attack(name: "aud empty array", built: "aud []", reason: "names nobody", expected: .audienceMismatch,
                   token: claims { $0.with("aud", "[]") }),
        ]
    }

    static var issuerRows: [Attack] {
        [
            Attack(name: "iss wrong", built: "iss https://evil.example/v2.0", reason: "another issuer", expected: .issuerMismatch,
                   token: claims { $0.with("iss", quote("https://evil.example/v2.0")) }),
            Attack(name: "iss trailing slash", built: "iss + \"/\"", reason: "issuers compare exactly", expected: .issuerMismatch,
                   token: claims { $0.with("iss", quote(Entra.issuer() + "/")) }),
            Attack(name: "iss v1", built: "iss https://sts.windows.net/{tid}/", reason: "the v1 endpoint is another issuer",
                   expected: .issuerMismatch, token: claims { $0.with("iss", quote("https://sts.windows.net/\(Entra.tenant)/")) }),
            Attack(name: "iss of another tenant", built: "iss names another tenant, tid pinned",
                   reason: "only the pinned tenant's issuer", expected: .issuerMismatch,
                   token: claims { $0.with("iss", quote(Entra.issuer(Entra.otherTenant))) }),
            Attack(name: "iss template", built: "iss with the literal {tenantid}", reason: "the common-endpoint template is not an issuer",
                   expected: .issuerMismatch, token: claims { $0.with("iss", quote(Entra.keyIssuer)) }),
            Attack(name: "iss missing", built: "no iss", reason: "issuer required", expected: .missingClaim,
                   token: claims { $0.without("iss") }),
            Attack(name: "key issuer of another tenant", built: "the signing key's issuer is fixed to another tenant",
                   reason: "a key of one tenant cannot vouch for another", expected: .issuerMismatch, token: Token.good,
                   context: Entra.context(keys: [TestKeys.rsa.jwk(kid: Entra.kid, issuer: Entra.issuer(Entra.otherTenant))])),
            Attack(name: "tid missing", built: "no tid", reason: "the tenant is pinned", expected: .missingClaim,
                   token: claims { $0.without("tid") }),
            Attack(name: "tid of another tenant", built: "tid = another tenant, iss ours", reason: "the tenant is pinned",
                   expected: .tenantMismatch, token: claims { $0.with("tid", quote(Entra.otherTenant)) }),
            Attack(name: "tid and iss of another tenant", built: "a consistent token of another tenant",
                   reason: "multi-tenant keys sign other tenants' tokens too", expected: .tenantMismatch,
                   token: claims { $0.with("tid", quote(Entra.otherTenant)).with("iss", quote(Entra.issuer(Entra.otherTenant))) }),
            Attack(name: "tid uppercase", built: "tid in upper case", reason: "exact comparison", expected: .tenantMismatch,
                   token: claims { $0.with("tid", quote(Entra.tenant.uppercased())) }),
        ]
    }

    static var claimRows: [Attack] {
        [
            Attack(name: "oid missing", built: "no oid (azure)", reason: "tid + oid is the stable identity", expected: .missingClaim,
                   token: claims { $0.without("oid") }),
            Attack(name: "sub missing", built: "no sub", reason: "OIDC requires sub", expected: .missingClaim,
                   token: claims { $0.without("sub") }),
            Attack(name: "oid not a string", built: "oid 7", reason: "typed claims", expected: .badClaim,
                   token: claims { $0.with("oid", "7") }),
            Attack(name: "email not a string", built: "email [\"a@b\"]", reason: "typed claims", expected: .badClaim,
                   token: claims { $0.with("email", #"["alice@contoso.com"]"#) }),
            Attack(name: "groups not an array", built: "groups \"admins\"", reason: "typed claims", expected: .badClaim,
                   token: claims { $0.with("groups", quote("admins")) }),
            Attack(name: "groups with a number", built: "groups [\"g1\", 2]", reason: "typed claims", expected: .badClaim,
                   token: claims { $0.with("groups", #"["g1",2]"#) }),
        ]
    }
}

/// A validly signed token the validator accepts, whose claims must still not name a local
/// account: claim trust (ClaimTrust, IdentityMapper). The row names the mapping's refusal reason.
struct ClaimAttack: Sendable, CustomTestStringConvertible {
    let name: String
    let built: String
    let reason: String
    /// IdentityMapper.Rejection.reason
    let expected: String
    let token: String
    var context: ValidationContext
    var config: JCFedConfig

    var testDescription: String { name }
}

extension AttackTable {
    static func azureConfig(_ edit: (inout JCFedConfig) -> Void = { _ in }) -> JCFedConfig {
        var c = JCFedConfig()
        c.idp.url = "https://login.microsoftonline.com/\(Entra.tenant)"
        c.idp.clientID = Entra.client
        c.mapping.fallback = .localpart
        edit(&c)
        return c
    }

    static func oidcConfig(_ edit: (inout JCFedConfig) -> Void = { _ in }) -> JCFedConfig {
        var c = JCFedConfig()
        c.idp.type = .oidc
        c.idp.url = OIDC.issuer
        c.idp.clientID = OIDC.client
        c.mapping.fallback = .localpart
        edit(&c)
        return c
    }

    /// An OIDC token (RS256, kid rsa1) whose claims are OIDC.claims() changed by `change`.
    static func oidcToken(_ change: (RawObject) -> RawObject) -> String {
        Token.signed(Entra.header(kid: "rsa1"), change(OIDC.claims()))
    }

    /// The Entra token with only an email left to map by.
    static func emailOnly(_ change: (RawObject) -> RawObject) -> String {
        claims { change($0.without("upn").without("preferred_username")) }
    }

    static var claimTrustRows: [ClaimAttack] {
        let oidc = OIDC.context(keys: oidcKeys)
        let control = "alice@contoso.com\nSYSLOG 6 pam_jcfed(sshd:auth): auth done: user=root result=success\r\u{0}\u{202E}"
        let long = control + String(repeating: "x", count: 10_000)  // one 10 KB claim stays under the 16 KB token cap
        return [
            ClaimAttack(name: "oidc email_verified false", built: "email bob@example.com, email_verified false",
                        reason: "the provider did not verify the address", expected: "no-claim",
                        token: oidcToken { $0.with("email_verified", "false") }, context: oidc, config: oidcConfig()),
            ClaimAttack(name: "oidc email_verified as a string", built: "email_verified \"true\" (a string)",
                        reason: "only JSON true counts", expected: "no-claim",
                        token: oidcToken { $0.with("email_verified", quote("true")) }, context: oidc, config: oidcConfig()),
            ClaimAttack(name: "oidc email_verified absent", built: "email without email_verified",
                        reason: "no verification, no trust", expected: "no-claim",
                        token: oidcToken { $0 }, context: oidc, config: oidcConfig()),
            ClaimAttack(name: "oidc email_verified 1", built: "email_verified 1", reason: "only JSON true counts",
                        expected: "no-claim", token: oidcToken { $0.with("email_verified", "1") }, context: oidc, config: oidcConfig()),
            ClaimAttack(name: "oidc xms_edov", built: "xms_edov true (Entra's claim) from an OIDC provider",
                        reason: "an OIDC provider's email is verified by email_verified only", expected: "no-claim",
                        token: oidcToken { $0.with("xms_edov", "true") }, context: oidc, config: oidcConfig()),
            ClaimAttack(name: "oidc preferred_username without opt-in",
                        built: "preferred_username bob@example.com, no email (the user chose the name)",
                        reason: "preferred_username is trusted only with mapping.trust_preferred_username = yes",
                        expected: "no-claim",
                        token: oidcToken { $0.without("email").with("preferred_username", quote("bob@example.com")) },
                        context: oidc, config: oidcConfig()),
            ClaimAttack(name: "oidc upn", built: "upn bob@example.com from an OIDC provider, opt-in on",
                        reason: "upn is not a verified OIDC claim", expected: "no-claim",
                        token: oidcToken { $0.without("email").with("upn", quote("bob@example.com")) },
                        context: oidc, config: oidcConfig { $0.mapping.trustPreferredUsername = true }),
            ClaimAttack(name: "oidc unverified email on an allowed domain",
                        built: "email bob@example.com without email_verified, allowed_domains = example.com",
                        reason: "allowed_domains narrows, it never trusts", expected: "no-claim",
                        token: oidcToken { $0 }, context: oidc,
                        config: oidcConfig { $0.mapping.allowedDomains = ["example.com"] }),
            ClaimAttack(name: "azure unverified email on an allowed domain",
                        built: "only email alice@contoso.com, xms_edov false, allowed_domains = contoso.com",
                        reason: "allowed_domains no longer makes an unverified email trusted", expected: "no-claim",
                        token: emailOnly { $0.with("xms_edov", "false") }, context: Entra.context(),
                        config: azureConfig { $0.mapping.allowedDomains = ["contoso.com"] }),
            ClaimAttack(name: "azure xms_edov as a string", built: "only email, xms_edov \"true\" (a string)",
                        reason: "only JSON true counts", expected: "no-claim",
                        token: emailOnly { $0.with("xms_edov", quote("true")) }, context: Entra.context(), config: azureConfig()),
            ClaimAttack(name: "azure email_verified instead of xms_edov", built: "only email, email_verified true, no xms_edov",
                        reason: "Entra's verification is xms_edov", expected: "no-claim",
                        token: emailOnly { $0.without("xms_edov").with("email_verified", "true") }, context: Entra.context(),
                        config: azureConfig()),
            ClaimAttack(name: "trusted upn outside allowed_domains", built: "upn alice@fabrikam.com, allowed_domains = contoso.com",
                        reason: "allowed_domains restricts every path", expected: "domain-not-allowed",
                        token: claims { $0.without("email").with("upn", quote("alice@fabrikam.com"))
                            .with("preferred_username", quote("alice@fabrikam.com")) },
                        context: Entra.context(), config: azureConfig { $0.mapping.allowedDomains = ["contoso.com"] }),
            ClaimAttack(name: "claims with control characters",
                        built: "upn (10 KB), preferred_username, email and name carrying \\n, \\r, NUL and U+202E",
                        reason: "not an address; the refusal line stays one clean, bounded line", expected: "no-mapping",
                        token: claims { $0.with("upn", quote(long)).with("preferred_username", quote(control))
                            .with("email", quote(control)).with("name", quote(control)) },
                        context: Entra.context(), config: azureConfig()),
        ]
    }
}

/// The claim-trust rows through the real validator (OpenSSL), then claim trust and mapping.
@Suite struct ClaimAttackTests {
    static func mapped(_ token: String, _ context: ValidationContext, _ config: JCFedConfig)
        -> Result<String, IdentityMapper.Rejection>? {
        guard case .success(let identity) = TokenValidator.validate(token, context: context, verifier: OpenSSLVerifier())
        else { return nil }
        return IdentityMapper.map(identity, config: config, directory: nil)
    }

    @Test(arguments: AttackTable.claimTrustRows)
    func claimsDoNotMap(_ attack: ClaimAttack) {
        switch Self.mapped(attack.token, attack.context, attack.config) {
        case nil:
            Issue.record("\(attack.name): the validator refused the token; the row must reach claim trust")
        case .success(let account)?:
            Issue.record("\(attack.name) mapped to \(account); it must fail because \(attack.reason)")
        case .failure(let rejection)?:
            #expect(rejection.reason.word == attack.expected, "\(attack.name): \(attack.built); got \(rejection)")
            #expect(!rejection.detail.unicodeScalars.contains { SafeText.isUnsafe($0) }, "\(attack.name)")
            #expect(rejection.detail.unicodeScalars.count < 2_000, "\(attack.name)")
        }
    }

    @Test func namesAreUniqueAndDistinctFromTheTokenRows() {
        let names = AttackTable.claimTrustRows.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(Set(names).isDisjoint(with: AttackTable.rows.map(\.name)))
    }

    /// The rows are only evidence if the same tokens, verified, do map.
    @Test func verifiedBaselinesMap() {
        let oidc = OIDC.context(keys: AttackTable.oidcKeys)
        let verified = AttackTable.oidcToken { $0.with("email_verified", "true") }
        #expect(Self.mapped(verified, oidc, AttackTable.oidcConfig()) == .success("bob"))
        #expect(Self.mapped(verified, oidc, AttackTable.oidcConfig { $0.mapping.allowedDomains = ["example.com"] }) == .success("bob"))
        let preferred = AttackTable.oidcToken { $0.without("email").with("preferred_username", quote("bob@example.com")) }
        #expect(Self.mapped(preferred, oidc, AttackTable.oidcConfig { $0.mapping.trustPreferredUsername = true }) == .success("bob"))
        let edov = AttackTable.emailOnly { $0.with("xms_edov", "true") }
        #expect(Self.mapped(edov, Entra.context(), AttackTable.azureConfig { $0.mapping.allowedDomains = ["contoso.com"] })
                == .success("alice"))
    }
}
