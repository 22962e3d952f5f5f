import Testing
@testable import JCFedCore

/// One test per claim policy, each with passing and failing claims.
@Suite struct ClaimPolicyTests {
    private let key = CoreFixture.key
    private let context = CoreFixture.context()

    private func check(_ policy: ClaimPolicy, _ edit: (String) -> String = { $0 }, key: JWK? = nil,
                       context: ValidationContext? = nil) -> TokenRejection.Code? {
        policy.check(CoreFixture.claims(edit(CoreFixture.claimsJSON)), key: key ?? self.key,
                     context: context ?? self.context)?.code
    }

    /// Replaces `"name":<value>` in the fixture claims (values without commas) by `replacement`.
    private func set(_ name: String, _ raw: String?) -> (String) -> String {
        { json in
            var members = String(json.dropFirst().dropLast()).split(separator: ",").map(String.init)
            members.removeAll { $0.hasPrefix("\"\(name)\":") }
            if let raw = raw { members.append("\"\(name)\":\(raw)") }
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    @Test func tenantPolicy() {
        #expect(check(TenantPolicy()) == nil)
        #expect(check(TenantPolicy(), set("tid", #""72f988bf-86f1-41af-91ab-2d7cd011db47""#)) == .tenantMismatch)
        #expect(check(TenantPolicy(), set("tid", nil)) == .missingClaim)
        #expect(check(TenantPolicy(), set("tid", "1")) == .badClaim)
        #expect(check(TenantPolicy(), set("tid", nil), context: CoreFixture.context(tenantID: nil)) == nil)
    }

    @Test func issuerPolicy() {
        #expect(check(IssuerPolicy()) == nil)
        #expect(check(IssuerPolicy(), set("iss", "\"\(CoreFixture.issuer)/\"")) == .issuerMismatch)
        #expect(check(IssuerPolicy(), set("iss", "\"https://sts.windows.net/\(CoreFixture.tenant)/\"")) == .issuerMismatch)
        #expect(check(IssuerPolicy(), set("iss", nil)) == .missingClaim)
        #expect(check(IssuerPolicy(), set("iss", "[]")) == .badClaim)
        // The key's templated issuer takes the token's tid.
        #expect(check(IssuerPolicy(), set("tid", #""other""#)) == .issuerMismatch)
        #expect(check(IssuerPolicy(), set("tid", nil)) == .missingClaim)
        let plain = JWK(kid: "k1", material: key.material)
        #expect(check(IssuerPolicy(), set("tid", nil), key: plain) == nil)
        let fixed = JWK(kid: "k1", issuer: "https://login.microsoftonline.com/other/v2.0", material: key.material)
        #expect(check(IssuerPolicy(), key: fixed) == .issuerMismatch)
        #expect(IssuerPolicy.substituteTenant(in: "a/{tenantid}/b/{tenantid}", tid: "T") == "a/T/b/T")
        #expect(IssuerPolicy.substituteTenant(in: "{tenantid", tid: "T") == "{tenantid")
    }

    @Test func audiencePolicy() {
        let client = "\"\(CoreFixture.client)\""
        #expect(check(AudiencePolicy()) == nil)
        #expect(check(AudiencePolicy(), set("aud", "[\(client)]")) == nil)
        #expect(check(AudiencePolicy(), set("aud", "[\(client),\"graph\"]") >>> set("azp", client)) == nil)
        #expect(check(AudiencePolicy(), set("aud", #""graph""#)) == .audienceMismatch)
        #expect(check(AudiencePolicy(), set("aud", #"["graph"]"#)) == .audienceMismatch)
        #expect(check(AudiencePolicy(), set("aud", "[\(client),\"graph\"]")) == .audienceMismatch)
        #expect(check(AudiencePolicy(), set("aud", "[\(client),\"graph\"]") >>> set("azp", #""graph""#)) == .audienceMismatch)
        #expect(check(AudiencePolicy(), set("azp", #""graph""#)) == .audienceMismatch)
        #expect(check(AudiencePolicy(), set("aud", nil)) == .missingClaim)
        #expect(check(AudiencePolicy(), set("aud", "[\(client),1]")) == .badClaim)
        #expect(check(AudiencePolicy(), set("aud", "{}")) == .badClaim)
    }

    /// An admin who pasted the client id in uppercase (Entra's portal shows GUIDs either way)
    /// still matches the lowercase `aud` Entra issues; a different GUID or a non-GUID id that
    /// differs in case does not.
    @Test func audienceGUIDComparesWithoutCase() {
        let upper = CoreFixture.context(clientID: CoreFixture.client.uppercased())
        #expect(check(AudiencePolicy(), context: upper) == nil)
        #expect(check(AudiencePolicy(), set("azp", "\"\(CoreFixture.client)\""), context: upper) == nil)
        let other = CoreFixture.context(clientID: "AAAAAAAA-BBBB-CCCC-DDDD-000000000000")
        #expect(check(AudiencePolicy(), context: other) == .audienceMismatch)
        #expect(GUID.sameID("api://App", "api://app") == false)
    }

    @Test func lifetimePolicy() {
        let now = CoreFixture.now
        #expect(check(LifetimePolicy()) == nil)
        #expect(check(LifetimePolicy(), set("exp", "\(now - 59)") >>> set("nbf", "\(now + 60)") >>> set("iat", nil)) == nil)
        #expect(check(LifetimePolicy(), set("exp", "\(now - 60)")) == .expired)
        #expect(check(LifetimePolicy(), set("exp", nil)) == .missingClaim)
        #expect(check(LifetimePolicy(), set("exp", "\"\(now + 60)\"")) == .badClaim)
        #expect(check(LifetimePolicy(), set("exp", "1e300")) == .badClaim)
        #expect(check(LifetimePolicy(), set("exp", "true")) == .badClaim)
        #expect(check(LifetimePolicy(), set("nbf", "\(now + 61)")) == .notYetValid)
        #expect(check(LifetimePolicy(), set("iat", "\(now + 61)")) == .notYetValid)
        #expect(check(LifetimePolicy(), set("exp", "\(now + 60).75")) == nil)
    }

    @Test func claimsPolicy() throws {
        #expect(check(IdentityPolicy()) == nil)
        #expect(check(IdentityPolicy(), set("oid", nil)) == .missingClaim)
        #expect(check(IdentityPolicy(), set("oid", nil), context: CoreFixture.context(tenantID: nil)) == nil)
        #expect(check(IdentityPolicy(), set("sub", nil)) == .missingClaim)
        #expect(check(IdentityPolicy(), set("sub", #""""#)) == .badClaim)
        #expect(check(IdentityPolicy(), set("upn", "1")) == .badClaim)
        #expect(check(IdentityPolicy(), set("groups", #""g""#)) == .badClaim)
        #expect(check(IdentityPolicy(), set("groups", "[1]")) == .badClaim)
        #expect(check(IdentityPolicy(), set("email", "null")) == nil)  // null counts as absent
        // Every claim the identity reads is checked when the token is validated, not when a
        // field is read (VerifiedIdentity reads them later and cannot refuse then): a wrong type
        // is refused here, for each of them, with and without a pinned tenant.
        for name in ["sub", "oid", "upn", "preferred_username", "email", "iss", "tid", "name", "idp"] {
            for wrong in ["1", "true", "[]", "{}", #"["x"]"#] {
                #expect(check(IdentityPolicy(), set(name, wrong)) == .badClaim, "\(name): \(wrong)")
                #expect(check(IdentityPolicy(), set(name, wrong), context: CoreFixture.context(tenantID: nil)) == .badClaim,
                        "\(name): \(wrong)")
            }
        }
        #expect(check(IdentityPolicy(), set("oid", #""""#), context: CoreFixture.context(tenantID: nil)) == .badClaim)
        #expect(check(IdentityPolicy(), set("iss", #""""#)) == .badClaim)
        #expect(check(IdentityPolicy(), set("iss", nil)) == .missingClaim)

        let oidc = try IdentityPolicy.identity(from: CoreFixture.claims(set("oid", nil)(CoreFixture.claimsJSON)),
                                             context: CoreFixture.context(tenantID: nil)).get()
        #expect(oidc.oid == "sub-1")
        for (raw, verified) in [("true", true), ("false", false), (#""true""#, false), ("1", false)] {
            let identity = try IdentityPolicy.identity(from: CoreFixture.claims(set("xms_edov", raw)(CoreFixture.claimsJSON)),
                                                     context: context).get()
            #expect(identity.emailDomainVerified == verified, "xms_edov \(raw)")
        }
        for (raw, verified) in [("true", true), ("false", false), (#""true""#, false), ("1", false), ("null", false)] {
            let identity = try IdentityPolicy.identity(from: CoreFixture.claims(set("email_verified", raw)(CoreFixture.claimsJSON)),
                                                     context: context).get()
            #expect(identity.emailVerified == verified, "email_verified \(raw)")
        }
        #expect(try IdentityPolicy.identity(from: CoreFixture.claims(CoreFixture.claimsJSON), context: context).get().emailVerified == false)
    }
}

infix operator >>>: AdditionPrecedence
/// Left-to-right composition of claim edits.
func >>> (f: @escaping (String) -> String, g: @escaping (String) -> String) -> (String) -> String { { g(f($0)) } }
