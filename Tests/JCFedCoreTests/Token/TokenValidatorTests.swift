import Testing
@testable import JCFedCore

/// The validator's order: nothing about the claims is looked at before the signature verified.
@Suite struct TokenValidatorTests {
    private func validate(_ token: String, _ verifier: FakeVerifier,
                          context: ValidationContext = CoreFixture.context()) -> Result<VerifiedIdentity, TokenRejection> {
        TokenValidator.validate(token, context: context, verifier: verifier)
    }

    @Test func goodTokenGivesTheIdentity() throws {
        let verifier = FakeVerifier(true)
        let identity = try validate(CoreFixture.token(), verifier).get()
        #expect(identity == VerifiedIdentity(issuer: CoreFixture.issuer, tid: CoreFixture.tenant, oid: "oid-1", sub: "sub-1",
                                             upn: "alice@contoso.com", expiresAt: CoreFixture.now + 3600))
        #expect(verifier.calls.count == 1)
        #expect(verifier.calls.first?.0 == .rs256)
    }

    @Test func signatureIsCheckedBeforeClaims() {
        let expired = CoreFixture.token(payload: #"{"iss":"x","aud":"y","exp":1}"#)
        #expect(validate(expired, FakeVerifier(false)) == .failure(TokenRejection(.badSignature)))
        // With a good signature the same token fails on its claims (tid is checked first).
        #expect(validate(expired, FakeVerifier(true)) == .failure(TokenRejection(.missingClaim)))
    }

    @Test func verifierIsNotAskedForRefusedHeaders() {
        for header in [#"{"alg":"none","kid":"k1"}"#, #"{"alg":"HS256","kid":"k1"}"#, #"{"alg":"RS256","kid":"k1","crit":["x"]}"#,
                       #"{"alg":"RS256","kid":"zz"}"#] {
            let verifier = FakeVerifier(true)
            if case .success = validate(CoreFixture.token(header: header), verifier) { Issue.record("accepted \(header)") }
            #expect(verifier.calls.isEmpty, "\(header)")
        }
    }

    @Test func orderOfHeaderChecks() {
        let verifier = FakeVerifier(true)
        // alg before crit before kid.
        #expect(validate(CoreFixture.token(header: #"{"alg":"none","crit":["x"],"kid":"zz"}"#), verifier)
                == .failure(TokenRejection(.algorithmNotAllowed)))
        #expect(validate(CoreFixture.token(header: #"{"alg":"RS256","crit":["x"],"kid":"zz"}"#), verifier)
                == .failure(TokenRejection(.criticalHeader)))
        #expect(validate(CoreFixture.token(header: #"{"alg":"RS256","kid":"zz"}"#), verifier)
                == .failure(TokenRejection(.unknownKid)))
        // The size cap comes before everything.
        var small = CoreFixture.context()
        small.maxTokenBytes = 64
        #expect(validate(CoreFixture.token(header: #"{"alg":"none"}"#), verifier, context: small) == .failure(TokenRejection(.tooLarge)))
    }

    @Test func claimPoliciesRunInOrder() {
        // IdentityPolicy runs last, once, as TokenValidator's final step (it makes the identity).
        #expect(TokenValidator.claimPolicies.map { "\(type(of: $0))" }
                == ["TenantPolicy", "IssuerPolicy", "AudiencePolicy", "LifetimePolicy"])
    }
}
