import Testing
import JCFedCore
import JCFedCrypto

/// Good tokens that must validate through the real validator and OpenSSL verifier.
@Suite struct TokenAcceptanceTests {
    private func validate(_ token: String, _ context: ValidationContext) -> Result<VerifiedIdentity, TokenRejection> {
        TokenValidator.validate(token, context: context, verifier: OpenSSLVerifier())
    }

    @Test func entraRS256TokenWithTemplatedKeyIssuer() throws {
        #expect(Entra.key.issuer == "https://login.microsoftonline.com/{tenantid}/v2.0")
        let identity = try validate(Token.good, Entra.context()).get()
        #expect(identity.issuer == Entra.issuer())
        #expect(identity.tid == Entra.tenant)
        #expect(identity.oid == "00000000-0000-0000-66f3-3332eca7ea81")
        #expect(identity.sub == "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ")
        #expect(identity.upn == "alice@contoso.com")
        #expect(identity.preferredUsername == "alice@contoso.com")
        #expect(identity.email == "alice@contoso.com")
        #expect(identity.emailDomainVerified)
        #expect(identity.name == "Alice Example")
        #expect(identity.groups == ["g1", "g2"])
        #expect(identity.expiresAt == Entra.now + 3300)
    }

    @Test func entraKeyFromTheJWKSDocument() throws {
        let document = "{\"keys\":[" + TestKeys.rsa.jwkJSON(kid: Entra.kid,
            extra: #""use":"sig","x5t":"x","x5c":["MIIC"],"issuer":"https://login.microsoftonline.com/{tenantid}/v2.0""#) + "]}"
        let set = try JWKSet.parse(Array(document.utf8)).get()
        #expect(set.skipped.isEmpty)
        _ = try validate(Token.good, Entra.context(keys: set.keys)).get()
    }

    @Test func ignoredHeadersDoNotMatter() throws {
        let header = Entra.header().with("jku", quote("https://evil.example/keys"))
            .with("x5u", quote("https://evil.example/c.pem")).with("jwk", TestKeys.attacker.jwkJSON(kid: "a"))
        _ = try validate(Token.signed(header, Entra.claims()), Entra.context()).get()
    }

    @Test func lifetimeEdgesWithinSkew() throws {
        let claims = Entra.claims().with("exp", "\(Entra.now - Entra.skew + 1)").with("nbf", "\(Entra.now + Entra.skew)")
            .with("iat", "\(Entra.now + Entra.skew)")
        _ = try validate(Token.signed(Entra.header(), claims), Entra.context()).get()
    }

    @Test func audienceArrayWithAzp() throws {
        let claims = Entra.claims().with("aud", "[\(quote(Entra.client)),\(quote(Entra.otherClient))]").with("azp", quote(Entra.client))
        _ = try validate(Token.signed(Entra.header(), claims), Entra.context()).get()
    }

    @Test func xmsEdovOnlyAsJSONTrue() throws {
        let identity = try validate(Token.signed(Entra.header(), Entra.claims().with("xms_edov", quote("true"))), Entra.context()).get()
        #expect(!identity.emailDomainVerified)
    }

    @Test(arguments: [JWSAlgorithm.rs256, .rs384, .rs512, .ps256, .es256])
    func oidcAlgorithms(_ algorithm: JWSAlgorithm) throws {
        let key = algorithm == .es256 ? TestKeys.ec : TestKeys.rsa
        let kid = algorithm == .es256 ? "ec1" : "rsa1"
        let context = OIDC.context(keys: [TestKeys.rsa.jwk(kid: "rsa1"), TestKeys.ec.jwk(kid: "ec1")])
        let token = Token.signed(Entra.header(alg: algorithm.rawValue, kid: kid), OIDC.claims(), key: key, algorithm: algorithm)
        let identity = try validate(token, context).get()
        #expect(identity.oid == "user-42")  // generic OIDC without oid: sub
        #expect(identity.tid == nil)
        #expect(identity.email == "bob@example.com")
        #expect(!identity.emailDomainVerified)
    }

    @Test func oidcSingleKeyWithoutKid() throws {
        let token = Token.signed(Entra.header(kid: nil), OIDC.claims())
        _ = try validate(token, OIDC.context(keys: [TestKeys.rsa.jwk(kid: "rsa1")])).get()
    }

    @Test func azureAllowsRS256Only() {
        let token = Token.signed(Entra.header(alg: "PS256"), Entra.claims(), algorithm: .ps256)
        #expect(validate(token, Entra.context()) == .failure(TokenRejection(.algorithmNotAllowed)))
        #expect(JWSAlgorithm.entraAllowList == [.rs256])
    }
}
