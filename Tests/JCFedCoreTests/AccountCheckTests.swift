import Testing
@testable import JCFedCore

@Suite struct AccountCheckTests {
    typealias F = IdentityFixtures

    func check(_ user: DirectoryUser) -> Outcome {
        AccountCheck.check(pamUser: user.username, directory: Directory(users: [user]), directoryPath: "/d")
    }

    @Test func activeUserPasses() {
        #expect(check(F.user("alice", "a@contoso.com")).kind == .success)
    }

    @Test func suspendedIsExpired() {
        for u in [F.user("a", "a@x.com", suspended: true), F.user("a", "a@x.com", state: "SUSPENDED")] {
            let o = check(u)
            #expect(o.kind == .accountExpired && o.reason == "suspended")
            #expect(o.userMessage == "Your JumpCloud account is suspended.")
        }
    }

    @Test func notActivatedIsExpired() {
        for u in [F.user("a", "a@x.com", activated: false), F.user("a", "a@x.com", state: "STAGED"),
                  F.user("a", "a@x.com", state: "SOMETHING_NEW")] {
            let o = check(u)
            #expect(o.kind == .accountExpired && o.reason == "not-activated")
            #expect(o.userMessage == "Your JumpCloud account is not activated.")
        }
    }

    @Test func lockedIsPermissionDenied() {
        let o = check(F.user("a", "a@x.com", locked: true))
        #expect(o.kind == .permissionDenied && o.reason == "locked")
        #expect(o.userMessage == "Your JumpCloud account is locked.")
        #expect(o.adminDetail.contains("locked"))
    }

    @Test func suspendedWinsOverLocked() {
        #expect(check(F.user("a", "a@x.com", suspended: true, locked: true)).kind == .accountExpired)
    }

    @Test func noDirectoryIsASuccessThatSaysSo() {
        let o = AccountCheck.check(pamUser: "alice", directory: nil, directoryPath: "/var/lib/jcfed/directory.json")
        #expect(o.kind == .success && o.reason == "no-directory")
        #expect(o.adminDetail.contains("not checked"))
    }

    @Test func userMissingFromTheDirectoryIsIgnored() {
        #expect(AccountCheck.check(pamUser: "zed", directory: F.directory, directoryPath: "/d").kind == .ignore)
    }
}
