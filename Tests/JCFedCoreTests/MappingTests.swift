import Testing
@testable import JCFedCore

@Suite struct MappingTests {
    typealias F = IdentityFixtures

    func map(_ identity: VerifiedIdentity, _ directory: Directory? = F.directory,
             config: JCFedConfig = F.config()) -> Result<String, IdentityMapper.Rejection> {
        IdentityMapper.map(identity, config: config, directory: directory)
    }

    func reason(_ r: Result<String, IdentityMapper.Rejection>) -> String? {
        if case .failure(let e) = r { return e.reason.word }
        return nil
    }

    // MARK: directory

    @Test func upnMatchesTheJumpCloudEmailAndGivesTheUsername() {
        #expect(map(F.identity(upn: "alice@contoso.com")) == .success("alice"))
    }

    @Test(arguments: ["Alice@Contoso.com", "ALICE@CONTOSO.COM", "alice@CONTOSO.com", "aLiCe@contoso.COM"])
    func caseDoesNotMatter(upn: String) {
        #expect(map(F.identity(upn: upn)) == .success("alice"))
    }

    @Test func directoryEmailCaseDoesNotMatterEither() {
        #expect(map(F.identity(upn: "carol.smith@contoso.com")) == .success("carol"))
    }

    @Test func cyrillicLookAlikeDoesNotMatch() {
        // U+0430 CYRILLIC SMALL LETTER A in place of the first "a".
        #expect(reason(map(F.identity(upn: "\u{0430}lice@contoso.com"))) == "no-directory-match")
        // U+043E CYRILLIC SMALL LETTER O in the domain: a non-ASCII domain never matches.
        #expect(reason(map(F.identity(upn: "alice@cont\u{043E}so.com"))) == "no-directory-match")
    }

    @Test func otherLookAlikesDoNotMatch() {
        // Fullwidth letters, zero-width space, Kelvin sign (lower-cases to ASCII k).
        let d = Directory(users: [F.user("kim", "kim@contoso.com")])
        for upn in ["\u{FF4B}im@contoso.com", "k\u{200B}im@contoso.com", "\u{212A}im@contoso.com",
                    "kim@contoso.com.", "kim @contoso.com", "kim@contoso\u{FF0E}com", "kim\u{FF20}contoso.com"] {
            #expect(reason(map(F.identity(upn: upn), d)) == "no-directory-match", "\(upn)")
        }
        #expect(map(F.identity(upn: "KIM@contoso.com"), d) == .success("kim"))
    }

    @Test func unicodeLocalPartsCompareByCanonicalEquivalenceAndCase() {
        // Composed é in the directory, decomposed e + U+0301 and upper-case É in the claim.
        let d = Directory(users: [F.user("rene", "ren\u{E9}@contoso.com")])
        #expect(map(F.identity(upn: "rene\u{301}@contoso.com"), d) == .success("rene"))
        #expect(map(F.identity(upn: "REN\u{C9}@contoso.com"), d) == .success("rene"))
        #expect(reason(map(F.identity(upn: "rene@contoso.com"), d)) == "no-directory-match")
    }

    @Test func xnDomainsMatchButUnicodeDomainsDoNot() {
        let d = Directory(users: [F.user("jo", "jo@xn--mnchen-3ya.de")])
        #expect(map(F.identity(upn: "jo@XN--MNCHEN-3YA.DE"), d) == .success("jo"))
        #expect(reason(map(F.identity(upn: "jo@m\u{FC}nchen.de"), d)) == "no-directory-match")
    }

    @Test func twoUsersWithTheSameEmailAreAmbiguous() {
        let d = Directory(users: [F.user("alice", "alice@contoso.com"), F.user("alice2", "Alice@Contoso.com")])
        let r = map(F.identity(upn: "alice@contoso.com"), d)
        #expect(reason(r) == "ambiguous")
        if case .failure(let e) = r { #expect(e.detail.contains("2 JumpCloud users")) }
    }

    @Test func ambiguityIsAnErrorEvenIfALaterClaimWouldBeUnique() {
        let d = Directory(users: [F.user("a1", "shared@contoso.com"), F.user("a2", "shared@contoso.com"),
                                  F.user("alice", "alice@contoso.com")])
        let id = F.identity(upn: "shared@contoso.com", email: "alice@contoso.com", edov: true)
        #expect(reason(map(id, d)) == "ambiguous")
    }

    @Test func firstConfiguredClaimWins() {
        let id = F.identity(upn: "bob@contoso.com", preferred: "alice@contoso.com")
        #expect(map(id) == .success("bob"))
        let preferredFirst = F.config { $0.mapping.claims = ["preferred_username", "upn"] }
        #expect(map(id, config: preferredFirst) == .success("alice"))
    }

    @Test func laterClaimIsUsedWhenTheFirstDoesNotMatch() {
        let id = F.identity(upn: "alice.old@contoso.com", preferred: "alice@contoso.com")
        #expect(map(id) == .success("alice"))
    }

    @Test func unconfiguredClaimsAreNeverUsed() {
        let id = F.identity(upn: "nobody@contoso.com", email: "alice@contoso.com", edov: true)
        let upnOnly = F.config { $0.mapping.claims = ["upn"] }
        #expect(reason(map(id, config: upnOnly)) == "no-directory-match")
    }

    @Test func withADirectoryThereIsNoFallback() {
        // "alice@fabrikam.com" would give "alice" by localpart, but the directory decides.
        #expect(reason(map(F.identity(upn: "alice@fabrikam.com"))) == "no-directory-match")
    }

    @Test func noClaimAtAll() {
        #expect(reason(map(F.identity(upn: nil))) == "no-claim")
    }

    @Test func suspendedUsersStillMapTheAccountStageRefusesThem() {
        let d = Directory(users: [F.user("alice", "alice@contoso.com", suspended: true, state: "SUSPENDED")])
        #expect(map(F.identity(), d) == .success("alice"))
    }

    // MARK: fallback without a directory

    @Test func localpartStripsAnAllowedDomain() {
        let c = F.config { $0.mapping.allowedDomains = ["contoso.com"] }
        #expect(map(F.identity(upn: "Alice@Contoso.com"), nil, config: c) == .success("alice"))
        #expect(reason(map(F.identity(upn: "alice@fabrikam.com"), nil, config: c)) == "domain-not-allowed")
    }

    @Test func allowedDomainsRestrictTheDirectoryPathToo() {
        // The directory has alice@fabrikam.com, but only contoso.com addresses may map here.
        let d = Directory(users: [F.user("alice", "alice@fabrikam.com"), F.user("bob", "bob@contoso.com")])
        let c = F.config { $0.mapping.allowedDomains = ["contoso.com"] }
        #expect(reason(map(F.identity(upn: "alice@fabrikam.com"), d, config: c)) == "domain-not-allowed")
        #expect(map(F.identity(upn: "bob@contoso.com"), d, config: c) == .success("bob"))
        // A later claim on an allowed domain still maps.
        let id = F.identity(upn: "alice@fabrikam.com", preferred: "bob@contoso.com")
        #expect(map(id, d, config: c) == .success("bob"))
    }

    @Test func fullFallbackWithAllowedDomainsTakesOnlyThoseAddresses() {
        let c = F.config { $0.mapping.fallback = .full; $0.mapping.allowedDomains = ["contoso.com"] }
        #expect(map(F.identity(upn: "Alice@Contoso.com"), nil, config: c) == .success("alice@contoso.com"))
        #expect(reason(map(F.identity(upn: "alice@fabrikam.com"), nil, config: c)) == "domain-not-allowed")
        // A bare name has no domain: with allowed_domains set it may not map.
        #expect(reason(map(F.identity(upn: "alice"), nil, config: c)) == "domain-not-allowed")
        let open = F.config { $0.mapping.fallback = .full }
        #expect(map(F.identity(upn: "alice"), nil, config: open) == .success("alice"))
    }

    @Test func localpartWithNoAllowedDomainsTakesAnyDomain() {
        #expect(map(F.identity(upn: "alice@fabrikam.com"), nil) == .success("alice"))
    }

    @Test func localpartRefusesNamesThatAreNotAccountNames() {
        for upn in ["-alice@contoso.com", ".alice@contoso.com", "al/ice@contoso.com", "\u{0430}lice@contoso.com",
                    "alice", "alice@", "@contoso.com", "a@b@contoso.com"] {
            #expect(reason(map(F.identity(upn: upn), nil)) == "no-mapping", "\(upn)")
        }
    }

    @Test func fullUsesTheWholeClaim() {
        let c = F.config { $0.mapping.fallback = .full }
        #expect(map(F.identity(upn: "Alice@Contoso.com"), nil, config: c) == .success("alice@contoso.com"))
        #expect(reason(map(F.identity(upn: "alice smith@contoso.com"), nil, config: c)) == "no-mapping")
    }

    @Test func noneMapsNothing() {
        let c = F.config { $0.mapping.fallback = .none }
        #expect(reason(map(F.identity(), nil, config: c)) == "no-mapping")
    }

    // MARK: resolve: the PAM user, NSS, uid

    func resolve(_ identity: VerifiedIdentity, pamUser: String, directory: Directory? = F.directory,
                 users: FakeUsers = FakeUsers(), config: JCFedConfig = F.config()) -> Result<LocalAccount, IdentityMapper.Rejection> {
        IdentityMapper.resolve(identity, config: config, directory: directory, pamUser: pamUser, users: users)
    }

    @Test func resolvesToThePAMUser() throws {
        let a = try resolve(F.identity(), pamUser: "alice").get()
        #expect(a.name == "alice" && a.uid == 1001)
    }

    @Test func anotherPersonsTokenIsRefused() {
        guard case .failure(let e) = resolve(F.identity(upn: "bob@contoso.com"), pamUser: "alice") else {
            Issue.record("bob's token accepted for alice"); return
        }
        #expect(e.reason.word == "wrong-user")
        #expect(e.detail.contains("bob"))
    }

    @Test func rootIsNeverAResult() {
        let d = Directory(users: [F.user("root", "admin@contoso.com")])
        guard case .failure(let e) = resolve(F.identity(upn: "admin@contoso.com"), pamUser: "root", directory: d) else {
            Issue.record("mapped to root"); return
        }
        #expect(e.reason.word == "root")
        // Another name with uid 0 is refused too.
        let users = FakeUsers([("toor", 0)])
        let d2 = Directory(users: [F.user("toor", "admin@contoso.com")])
        guard case .failure(let e2) = resolve(F.identity(upn: "admin@contoso.com"), pamUser: "toor", directory: d2, users: users) else {
            Issue.record("mapped to uid 0"); return
        }
        #expect(e2.reason.word == "root")
    }

    @Test func lowUIDIsRefused() {
        let d = Directory(users: [F.user("sysuser", "svc@contoso.com")])
        guard case .failure(let e) = resolve(F.identity(upn: "svc@contoso.com"), pamUser: "sysuser", directory: d) else {
            Issue.record("mapped to a system account"); return
        }
        #expect(e.reason.word == "system-account")
    }

    @Test func noLocalAccountIsRefused() {
        let d = Directory(users: [F.user("zed", "zed@contoso.com")])
        guard case .failure(let e) = resolve(F.identity(upn: "zed@contoso.com"), pamUser: "zed", directory: d) else {
            Issue.record("mapped to a missing account"); return
        }
        #expect(e.reason.word == "no-local-account")
        // After a sign-in the login ends with PAM_AUTH_ERR, never PAM_USER_UNKNOWN (which would
        // let the rest of the stack decide for a person who just signed in as someone else).
        #expect(Outcome.refused(e, pamUser: "zed", identity: "-").reason.pamCode == .authError)
    }

    @Test func pamUserIsComparedByteForByte() {
        let d = Directory(users: [F.user("ren\u{E9}", "rene@contoso.com")])
        let users = FakeUsers([("ren\u{E9}", 2000), ("rene\u{301}", 2001)])
        guard case .failure(let e) = resolve(F.identity(upn: "rene@contoso.com"), pamUser: "rene\u{301}", directory: d, users: users) else {
            Issue.record("canonically equivalent but different account accepted"); return
        }
        #expect(e.reason.word == "wrong-user")
    }
}

@Suite struct MappingRecordTests {
    typealias F = IdentityFixtures

    /// NSS that answers with its own spelling of the name (sssd with case_sensitive = false).
    final class RenamingUsers: UserDatabase {
        let answer: LocalAccount
        init(_ answer: LocalAccount) { self.answer = answer }
        func account(named name: String) -> LocalAccount? {
            IdentityMapper.asciiCaseInsensitiveEqual(name, answer.name) ? answer : nil
        }
        func groupNames(of account: LocalAccount) -> [String] { [] }
    }

    func directory(unixUID: Int?) -> Directory {
        var u = F.user("ubuntu", "eve@contoso.com")
        u.unixUID = unixUID
        return Directory(users: [u])
    }

    func resolve(_ d: Directory, users: UserDatabase) -> Result<LocalAccount, IdentityMapper.Rejection> {
        IdentityMapper.resolve(F.identity(upn: "eve@contoso.com"), config: F.config(), directory: d, pamUser: "ubuntu", users: users)
    }

    @Test func theLocalUIDMustBeTheRecordsUnixUID() {
        // Eve's JumpCloud username is `ubuntu`; the local `ubuntu` (uid 1000) is the image's own
        // account, not the one the JumpCloud agent made for her (unix_uid 5001).
        let users = FakeUsers([("ubuntu", 1000)])
        guard case .failure(let e) = resolve(directory(unixUID: 5001), users: users) else {
            Issue.record("an org user took a local account with another uid"); return
        }
        #expect(e.reason.word == "uid-mismatch" && e.kind == .authError)
        #expect(e.detail.contains("5001") && e.detail.contains("1000"))
        #expect((try? resolve(directory(unixUID: 1000), users: users).get())?.uid == 1000)
        // No unix_uid in the record: nothing to compare.
        #expect((try? resolve(directory(unixUID: nil), users: users).get())?.uid == 1000)
    }

    @Test func theNSSNameMustBeTheJumpCloudUsernameByteForByte() {
        let users = RenamingUsers(LocalAccount(name: "Ubuntu", uid: 1000, gid: 1000))
        guard case .failure(let e) = resolve(directory(unixUID: nil), users: users) else {
            Issue.record("NSS's account Ubuntu accepted for JumpCloud user ubuntu"); return
        }
        #expect(e.reason.word == "name-mismatch")
        #expect(e.detail.contains("'Ubuntu'") && e.detail.contains("'ubuntu'"))
    }

    @Test func withoutADirectoryThereIsNoRecordToCompare() throws {
        let users = FakeUsers([("eve", 1000)])
        let a = try IdentityMapper.resolve(F.identity(upn: "eve@contoso.com"), config: F.config(), directory: nil,
                                           pamUser: "eve", users: users).get()
        #expect(a.uid == 1000)
    }
}

@Suite struct MappingKeyTests {
    @Test(arguments: [
        ("alice@contoso.com", "alice@contoso.com", true),
        ("Alice@CONTOSO.com", "alice@contoso.com", true),
        ("alice@contoso.co", "alice@contoso.com", false),
        ("alice@contoso.comm", "alice@contoso.com", false),
        ("alice @contoso.com", "alice@contoso.com", false),
        ("ren\u{E9}@contoso.com", "rene\u{301}@contoso.com", true),
        ("RENE\u{301}@contoso.com", "ren\u{E9}@contoso.com", true),
        ("rene@contoso.com", "ren\u{E9}@contoso.com", false),
        ("\u{0430}lice@contoso.com", "alice@contoso.com", false),
        ("\u{212A}im@contoso.com", "kim@contoso.com", false),
        ("a;b@contoso.com", "a\u{37E}b@contoso.com", true),   // U+037E is canonically ';'
    ])
    func fastAndSlowPathsAgree(email: String, claim: String, expected: Bool) throws {
        let key = try #require(IdentifierKey.address(claim))
        #expect(IdentifierKey.email(email, matchesKey: key) == expected)
        // The fast path must agree with building the key.
        #expect((IdentifierKey.address(email) == key) == expected)
    }
}

@Suite struct MappingCaseTests {
    typealias F = IdentityFixtures

    @Test func pamUserInAnotherASCIICaseIsTheSameAccountWhenNSSSaysSo() throws {
        // sssd with case_sensitive = false: "Alice" and "alice" are one account (one uid).
        let users = FakeUsers([("alice", 1001), ("Alice", 1001)])
        let a = try IdentityMapper.resolve(F.identity(), config: F.config(), directory: F.directory,
                                           pamUser: "Alice", users: users).get()
        #expect(a.uid == 1001)
    }

    @Test func twoAccountsDifferingOnlyInCaseStayApart() {
        // files-based NSS: "Alice" (uid 2000) is somebody else than alice (uid 1001).
        let users = FakeUsers([("alice", 1001), ("Alice", 2000)])
        guard case .failure(let e) = IdentityMapper.resolve(F.identity(), config: F.config(), directory: F.directory,
                                                            pamUser: "Alice", users: users) else {
            Issue.record("alice's token opened another account"); return
        }
        #expect(e.reason.word == "wrong-user")
    }

    @Test func aTokenForSomeoneWithoutAnAccountIsTheWrongUserNotAnUnknownOne() {
        let d = Directory(users: [F.user("alice", "alice@contoso.com"), F.user("zed", "zed@contoso.com")])
        guard case .failure(let e) = IdentityMapper.resolve(F.identity(upn: "zed@contoso.com"), config: F.config(), directory: d,
                                                            pamUser: "alice", users: FakeUsers()) else {
            Issue.record("accepted"); return
        }
        #expect(e.reason.word == "wrong-user" && e.kind == .authError)
    }
}
