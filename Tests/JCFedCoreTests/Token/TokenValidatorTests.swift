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

    /// A validated identity reads its claims when asked (VerifiedIdentity): every field is the
    /// claim's, copies read the same, and a setter changes only its field (the identity becomes
    /// values).
    @Test func aValidatedIdentityReadsItsClaimsAndCanBeChanged() throws {
        let payload = #"{"iss":"\#(CoreFixture.issuer)","aud":"\#(CoreFixture.client)","tid":"\#(CoreFixture.tenant)","#
            + #""exp":\#(CoreFixture.now + 60),"sub":"s\u00fcb","oid":"oid-1","upn":"a@contoso.com","#
            + #""preferred_username":"p@contoso.com","email":"e@contoso.com","name":"N\u00e4me","idp":"live.com","#
            + #""groups":["g1","g2"],"xms_edov":true,"email_verified":true}"#
        var identity = try validate(CoreFixture.token(payload: payload), FakeVerifier(true)).get()
        let expected = VerifiedIdentity(issuer: CoreFixture.issuer, tid: CoreFixture.tenant, oid: "oid-1", sub: "süb",
                                        upn: "a@contoso.com", preferredUsername: "p@contoso.com", email: "e@contoso.com",
                                        emailDomainVerified: true, emailVerified: true, name: "Näme", groups: ["g1", "g2"],
                                        idp: "live.com", expiresAt: CoreFixture.now + 60)
        #expect(identity == expected)
        #expect([identity.issuer, identity.tid, identity.oid, identity.sub, identity.upn, identity.preferredUsername,
                 identity.email, identity.name, identity.idp]
                == [expected.issuer, expected.tid, expected.oid, expected.sub, expected.upn, expected.preferredUsername,
                    expected.email, expected.name, expected.idp])
        #expect(identity.groups == ["g1", "g2"] && identity.emailDomainVerified && identity.emailVerified)
        #expect(identity.expiresAt == CoreFixture.now + 60)
        #expect(identity.claim("preferred_username") == "p@contoso.com")
        let copy = identity
        identity.upn = "other@contoso.com"
        identity.groups = []
        var changed = expected
        changed.upn = "other@contoso.com"
        changed.groups = []
        #expect(identity == changed)
        #expect(copy == expected)
    }

    /// Without a pinned tenant `sub` stands in for a missing `oid`, as before.
    @Test func anOIDCIdentityWithoutOidUsesSub() throws {
        var context = CoreFixture.context()
        context.tenantID = nil
        let payload = #"{"iss":"\#(CoreFixture.issuer)","aud":"\#(CoreFixture.client)","tid":"\#(CoreFixture.tenant)","exp":\#(CoreFixture.now + 60),"sub":"sub-9"}"#
        let identity = try validate(CoreFixture.token(payload: payload), FakeVerifier(true), context: context).get()
        #expect(identity.oid == "sub-9")
        let empty = #"{"iss":"\#(CoreFixture.issuer)","aud":"\#(CoreFixture.client)","tid":"\#(CoreFixture.tenant)","exp":\#(CoreFixture.now + 60),"sub":"s","oid":""}"#
        #expect(validate(CoreFixture.token(payload: empty), FakeVerifier(true), context: context) == .failure(TokenRejection(.badClaim)))
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
        // validate calls them directly: a token that every claim policy refuses gets the first
        // one's rejection, and with each claim mended in the list's order, the next one's.
        let bad = [#""tid":"00000000-0000-0000-0000-000000000000""#, #""iss":"https://other.example/""#,
                   #""aud":"someone-else""#, #""exp":\#(CoreFixture.now - 3600)"#, #""sub":"""#]
        let good = [#""tid":"\#(CoreFixture.tenant)""#, #""iss":"\#(CoreFixture.issuer)""#,
                    #""aud":"\#(CoreFixture.client)""#, #""exp":\#(CoreFixture.now + 60)"#, #""sub":"s""#]
        let expected: [TokenRejection.Code] = [.tenantMismatch, .issuerMismatch, .audienceMismatch, .expired, .badClaim]
        for mended in 0...bad.count {
            let members = (0..<bad.count).map { $0 < mended ? good[$0] : bad[$0] } + [#""oid":"o""#]
            let result = validate(CoreFixture.token(payload: "{" + members.joined(separator: ",") + "}"), FakeVerifier(true))
            if mended < expected.count {
                #expect(result == .failure(TokenRejection(expected[mended])), "mended \(mended)")
            } else {
                #expect((try? result.get()) != nil)
            }
        }
    }
}

/// Claims and header members read as bytes of the payload (no escape) and as built Strings (with
/// escapes) give the same verdicts.
@Suite struct TokenValidatorEscapedClaimsTests {
    /// `s` with every character written as a \u escape.
    private func escaped(_ s: String) -> String {
        s.unicodeScalars.map { scalar in
            let hex = String(scalar.value, radix: 16)
            return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }.joined()
    }

    private func payload(iss: String, aud: String, tid: String) -> String {
        """
        {"iss":"\(iss)","aud":"\(aud)","tid":"\(tid)","oid":"oid-1","sub":"sub-1",\
        "iat":\(CoreFixture.now - 10),"nbf":\(CoreFixture.now - 10),"exp":\(CoreFixture.now + 3600),\
        "upn":"alice@contoso.com"}
        """
    }

    private func validate(_ token: String) -> Result<VerifiedIdentity, TokenRejection> {
        TokenValidator.validate(token, context: CoreFixture.context(), verifier: FakeVerifier(true))
    }

    @Test func escapedIssuerAudienceTenantAndKidValidateAlike() throws {
        let plain = validate(CoreFixture.token())
        let escapedToken = CoreFixture.token(header: #"{"alg":"\u0052S256","kid":"\u006b1"}"#,
                                             payload: payload(iss: escaped(CoreFixture.issuer),
                                                              aud: escaped(CoreFixture.client),
                                                              tid: escaped(CoreFixture.tenant)))
        #expect(validate(escapedToken) == plain)
        _ = try plain.get()
        // A wrong tenant, issuer or audience is refused the same way written either way.
        let wrongTenant = "22222222-2222-3333-4444-555555555555"
        let wrongIssuer = "https://evil.example/v2.0"
        let wrongClient = "bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee"
        let cases: [(String, String, String)] = [(CoreFixture.issuer, CoreFixture.client, wrongTenant),
                                                 (wrongIssuer, CoreFixture.client, CoreFixture.tenant),
                                                 (CoreFixture.issuer, wrongClient, CoreFixture.tenant)]
        for (iss, aud, tid) in cases {
            let plainResult = validate(CoreFixture.token(payload: payload(iss: iss, aud: aud, tid: tid)))
            let escapedResult = validate(CoreFixture.token(payload: payload(iss: escaped(iss), aud: escaped(aud),
                                                                            tid: escaped(tid))))
            #expect(plainResult == escapedResult, "\(iss) \(aud) \(tid)")
            if case .success = plainResult { Issue.record("accepted \(iss) \(aud) \(tid)") }
        }
    }

    /// upn, preferred_username and email are built once when they have the same bytes (the
    /// usual Entra token); each claim still gets exactly its own value, whichever ones agree.
    @Test func addressClaimsEachKeepTheirOwnValue() throws {
        func identity(upn: String, preferred: String, email: String) throws -> VerifiedIdentity {
            // The fixture's claims, its upn replaced by the three address claims.
            let fixtureUPN = #","upn":"alice@contoso.com"}"#
            #expect(CoreFixture.claimsJSON.hasSuffix(fixtureUPN))
            let json = String(CoreFixture.claimsJSON.dropLast(fixtureUPN.count))
                + #","upn":"\#(upn)","preferred_username":"\#(preferred)","email":"\#(email)"}"#
            return try TokenValidator.validate(CoreFixture.token(payload: json), context: CoreFixture.context(),
                                               verifier: FakeVerifier(true)).get()
        }
        let cases = [("a@x.com", "a@x.com", "a@x.com"), ("a@x.com", "b@x.com", "b@x.com"),
                     ("a@x.com", "b@x.com", "a@x.com"), ("a@x.com", "a@x.com", "c@x.com"),
                     ("a@x.com", "a@x.co", "a@x.com"), ("\\u0061@x.com", "a@x.com", "a@x.com")]
        for (upn, preferred, email) in cases {
            let got = try identity(upn: upn, preferred: preferred, email: email)
            let unescaped = upn == "\\u0061@x.com" ? "a@x.com" : upn
            #expect(got.upn == unescaped && got.preferredUsername == preferred && got.email == email,
                    "\(upn) \(preferred) \(email)")
        }
    }

    /// `groups` is checked when the token is read but made into Strings only when asked for
    /// (ClaimStrings): a token with 200 group ids, plain or escaped, gives every one, in order,
    /// and the identity equals one made with those Strings.
    @Test func groupsAreReadWhenAskedFor() throws {
        let ids = (0..<200).map { "00000000-0000-0000-0000-\(String(1_000_000_000_000 + $0))" }
        for escaped in [false, true] {
            let items = ids.enumerated().map { index, id in
                escaped && index == 7 ? "\"\\u0030\(id.dropFirst())\"" : "\"\(id)\""
            }
            // The fixture's claims with a groups claim before the closing brace.
            let json = String(CoreFixture.claimsJSON.dropLast()) + #","groups":["#
                + items.joined(separator: ",") + "]}"
            let identity = try TokenValidator.validate(CoreFixture.token(payload: json), context: CoreFixture.context(),
                                                       verifier: FakeVerifier(true)).get()
            #expect(identity.groups == ids)
            var expected = identity
            expected.groups = ids
            #expect(identity == expected)
            expected.groups = Array(ids.dropLast())
            #expect(identity != expected)
        }
        // Not an array of strings: refused as before.
        let bad = String(CoreFixture.claimsJSON.dropLast()) + #","groups":["a",1]}"#
        let refused = TokenValidator.validate(CoreFixture.token(payload: bad), context: CoreFixture.context(),
                                              verifier: FakeVerifier(true))
        guard case .failure(let rejection) = refused else {
            Issue.record("a groups claim with a number was accepted")
            return
        }
        #expect(rejection.code == .badClaim)
    }
}
