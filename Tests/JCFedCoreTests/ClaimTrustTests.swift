import Testing
@testable import JCFedCore

@Suite struct ClaimTrustTests {
    typealias F = IdentityFixtures

    func reason(_ identity: VerifiedIdentity, config: JCFedConfig = F.config(), directory: Directory? = F.directory) -> String? {
        if case .failure(let e) = IdentityMapper.map(identity, config: config, directory: directory) { return e.reason }
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

    @Test func emailOnAnAllowedDomainIsTrusted() {
        let c = F.config { $0.mapping.claims = ["email"]; $0.mapping.allowedDomains = ["contoso.com"] }
        #expect(IdentityMapper.map(F.identity(upn: nil, email: "Alice@CONTOSO.com"), config: c, directory: F.directory)
                == .success("alice"))
        #expect(reason(F.identity(upn: nil, email: "alice@contoso.com.evil.io"), config: c) == "no-claim")
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
        let c = F.config { $0.idp.type = .oidc; $0.idp.url = "https://idp.example.com/realms/corp" }
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
