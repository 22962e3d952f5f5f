import Testing
@testable import JCFedCore

@Suite struct ClaimTrustTests {
    typealias F = IdentityFixtures

    func reason(_ identity: VerifiedIdentity, config: JCFedConfig = F.config(), directory: Directory? = F.directory) -> String? {
        if case .failure(let e) = IdentityMapper.map(identity, config: config, directory: directory) { return e.reason.word }
        return nil
    }

    @Test func tokenFromAnotherTenantNeverMaps() {
        // Same UPN as a real user, issued by the attacker's tenant.
        #expect(reason(F.identity(upn: "alice@contoso.com", tid: F.otherTenant)) == "other-tenant")
        #expect(reason(F.identity(upn: "alice@contoso.com", tid: nil)) == "other-tenant")
        #expect(reason(F.identity(upn: "alice@contoso.com", tid: F.otherTenant), directory: nil) == "other-tenant")
    }

    @Test func tenantComparisonIgnoresGUIDCase() {
        #expect(reason(F.identity(tid: F.tenant.uppercased())) == nil)
    }

    @Test func emailWithoutVerificationIsNotTrusted() {
        // nOAuth: the attacker sets email to the victim's address on an account they control.
        let c = F.config { $0.mapping.claims = ["email"] }
        #expect(reason(F.identity(upn: nil, email: "alice@contoso.com", edov: false), config: c) == "no-claim")
        #expect(reason(F.identity(upn: "mallory@contoso.com", email: "alice@contoso.com", edov: false)) == "no-directory-match")
    }

    @Test func emailWithXmsEdovIsTrusted() {
        let c = F.config { $0.mapping.claims = ["email"] }
        #expect(IdentityMapper.map(F.identity(upn: nil, email: "alice@contoso.com", edov: true), config: c, directory: F.directory)
                == .success("alice"))
    }

    @Test func unverifiedEmailOnAnAllowedDomainIsNotTrusted() {
        // allowed_domains narrows which domains may map; it never makes an unverified email trusted.
        let c = F.config { $0.mapping.claims = ["email"]; $0.mapping.allowedDomains = ["contoso.com"] }
        #expect(reason(F.identity(upn: nil, email: "Alice@CONTOSO.com"), config: c) == "no-claim")
        #expect(reason(F.identity(upn: nil, email: "Alice@CONTOSO.com"), config: c, directory: nil) == "no-claim")
        #expect(reason(F.identity(upn: nil, email: "alice@contoso.com.evil.io"), config: c) == "no-claim")
        // Verified, on the allowed domain: maps.
        #expect(IdentityMapper.map(F.identity(upn: nil, email: "Alice@CONTOSO.com", edov: true), config: c, directory: F.directory)
                == .success("alice"))
    }

    @Test func allowedDomainsNarrowEveryPath() {
        // A trusted upn outside allowed_domains maps neither through the directory nor by fallback.
        let d = Directory(users: [F.user("alice", "alice@fabrikam.com")])
        let c = F.config { $0.mapping.allowedDomains = ["contoso.com"] }
        #expect(reason(F.identity(upn: "alice@fabrikam.com"), config: c, directory: d) == "domain-not-allowed")
        #expect(reason(F.identity(upn: "alice@fabrikam.com"), config: c, directory: nil) == "domain-not-allowed")
        let full = F.config { $0.mapping.allowedDomains = ["contoso.com"]; $0.mapping.fallback = .full }
        #expect(reason(F.identity(upn: "alice@fabrikam.com"), config: full, directory: nil) == "domain-not-allowed")
        // Without the restriction the same identity maps (the restriction is what refused it).
        #expect(IdentityMapper.map(F.identity(upn: "alice@fabrikam.com"), config: F.config(), directory: d) == .success("alice"))
        guard case .failure(let e) = IdentityMapper.map(F.identity(upn: "alice@fabrikam.com"), config: c, directory: d) else {
            Issue.record("mapped"); return
        }
        #expect(e.detail.contains("upn: not an address in allowed_domains"))
    }

    // MARK: type = oidc

    static func oidc(_ edit: (inout JCFedConfig) -> Void = { _ in }) -> JCFedConfig {
        F.config { $0.idp.type = .oidc; $0.idp.url = "https://idp.example.com/realms/corp"; edit(&$0) }
    }

    static func oidcIdentity(preferred: String? = nil, email: String? = nil, verified: Bool = false,
                             upn: String? = nil) -> VerifiedIdentity {
        VerifiedIdentity(issuer: "https://idp.example.com/realms/corp", tid: nil, oid: "user-42", sub: "user-42", upn: upn,
                         preferredUsername: preferred, email: email, emailVerified: verified)
    }

    @Test func oidcEmailNeedsEmailVerified() {
        let c = Self.oidc()
        #expect(IdentityMapper.map(Self.oidcIdentity(email: "alice@contoso.com", verified: true), config: c, directory: F.directory)
                == .success("alice"))
        #expect(reason(Self.oidcIdentity(email: "alice@contoso.com", verified: false), config: c) == "no-claim")
        #expect(reason(Self.oidcIdentity(email: "alice@contoso.com", verified: false), config: c, directory: nil) == "no-claim")
        // Entra's xms_edov means nothing for an OIDC provider.
        let edov = VerifiedIdentity(issuer: "i", tid: nil, oid: "o", sub: "s", email: "alice@contoso.com", emailDomainVerified: true)
        #expect(reason(edov, config: c) == "no-claim")
    }

    @Test func oidcUnverifiedEmailOnAnAllowedDomainIsNotTrusted() {
        let c = Self.oidc { $0.mapping.allowedDomains = ["contoso.com"] }
        #expect(reason(Self.oidcIdentity(email: "alice@contoso.com"), config: c) == "no-claim")
        #expect(reason(Self.oidcIdentity(email: "alice@contoso.com"), config: c, directory: nil) == "no-claim")
        #expect(IdentityMapper.map(Self.oidcIdentity(email: "alice@contoso.com", verified: true), config: c, directory: nil)
                == .success("alice"))
    }

    @Test func oidcPreferredUsernameNeedsTheOptIn() {
        // A user names themselves bob@contoso.com at the provider to take the unpinned `bob`.
        let forged = Self.oidcIdentity(preferred: "bob@contoso.com")
        #expect(reason(forged, config: Self.oidc()) == "no-claim")
        #expect(reason(forged, config: Self.oidc(), directory: nil) == "no-claim")
        guard case .failure(let e) = IdentityMapper.map(forged, config: Self.oidc(), directory: nil) else {
            Issue.record("mapped"); return
        }
        #expect(e.detail.contains("trust_preferred_username = no"))
        let optIn = Self.oidc { $0.mapping.trustPreferredUsername = true }
        #expect(IdentityMapper.map(forged, config: optIn, directory: F.directory) == .success("bob"))
    }

    @Test func oidcUpnIsNeverTrusted() {
        let optIn = Self.oidc { $0.mapping.trustPreferredUsername = true }
        #expect(reason(Self.oidcIdentity(upn: "alice@contoso.com"), config: optIn) == "no-claim")
    }

    @Test func azureIgnoresEmailVerifiedAndTheOptIn() {
        // email_verified is not Entra's verification; the opt-in is for oidc only.
        let c = F.config { $0.mapping.claims = ["email"]; $0.mapping.trustPreferredUsername = true }
        let id = VerifiedIdentity(issuer: F.issuer, tid: F.tenant, oid: "o", sub: "s", email: "alice@contoso.com", emailVerified: true)
        #expect(reason(id, config: c) == "no-claim")
        #expect(reason(F.identity(upn: nil, preferred: "alice@contoso.com")) == nil)
    }

    // MARK: claim values in log lines

    @Test func claimValuesInRefusalsAreCleanedAndCapped() {
        let evil = "mallory@contoso.com\nSYSLOG 6 pam_jcfed: forged\r\u{0}\u{202E}moc.osotnoc" + String(repeating: "x", count: 10_000)
        let cases: [(VerifiedIdentity, JCFedConfig, Directory?)] = [
            (F.identity(upn: evil), F.config(), F.directory),                               // no-directory-match
            (F.identity(upn: "alice@contoso.com", tid: evil), F.config(), F.directory),     // other-tenant
            (F.identity(upn: evil, idp: evil), F.config(), F.directory),                    // guest
        ]
        for (id, c, d) in cases {
            guard case .failure(let e) = IdentityMapper.map(id, config: c, directory: d) else { Issue.record("mapped"); continue }
            #expect(!e.detail.unicodeScalars.contains { SafeText.isUnsafe($0) }, "\(e.reason)")
            #expect(e.detail.unicodeScalars.count < 1_000, "\(e.reason)")
        }
        let users = FakeUsers()
        guard case .failure(let e) = IdentityMapper.resolve(F.identity(upn: "alice@contoso.com"), config: F.config(),
                                                            directory: F.directory, pamUser: evil, users: users) else {
            Issue.record("resolved"); return
        }
        #expect(e.reason.word == "wrong-user")
        #expect(!e.detail.unicodeScalars.contains { SafeText.isUnsafe($0) })
        #expect(e.detail.unicodeScalars.count < 1_000)
    }

    @Test func guestsDoNotMapByDefault() {
        let byIdp = F.identity(upn: "alice@contoso.com", idp: "https://sts.windows.net/\(F.otherTenant)/")
        #expect(reason(byIdp) == "guest")
        let byUPN = F.identity(upn: "alice_fabrikam.com#EXT#@contoso.onmicrosoft.com")
        #expect(reason(byUPN) == "guest")
        let byPreferred = F.identity(upn: nil, preferred: "alice_fabrikam.com#ext#@contoso.onmicrosoft.com")
        #expect(reason(byPreferred) == "guest")
    }

    @Test func guestsMapWhenAllowed() {
        let c = F.config { $0.mapping.allowGuests = true }
        let guest = F.identity(upn: "alice@contoso.com", idp: "live.com")
        #expect(IdentityMapper.map(guest, config: c, directory: F.directory) == .success("alice"))
    }

    @Test func idpEqualToTheIssuerIsNotAGuest() {
        #expect(reason(F.identity(idp: F.issuer)) == nil)
    }

    @Test func oidcHasNoTenantTheIssuerIsPinned() {
        let c = F.config { $0.idp.type = .oidc; $0.idp.url = "https://idp.example.com/realms/corp"
                           $0.mapping.trustPreferredUsername = true }
        let id = F.identity(upn: nil, preferred: "alice@contoso.com", tid: nil)
        #expect(IdentityMapper.map(id, config: c, directory: F.directory) == .success("alice"))
    }

    @Test func skippedClaimsAreExplained() {
        let c = F.config { $0.mapping.claims = ["upn", "email"] }
        guard case .failure(let e) = IdentityMapper.map(F.identity(upn: "x@contoso.com", email: "alice@contoso.com"),
                                                        config: c, directory: F.directory) else {
            Issue.record("mapped"); return
        }
        #expect(e.detail.contains("xms_edov"))
    }
}
