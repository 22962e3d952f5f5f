#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import JCFedCore
@testable import JCFedSystem

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
            #expect(o.kind == .accountExpired && o.reason.word == "suspended")
            #expect(o.userMessage == "Your JumpCloud account is suspended.")
        }
    }

    @Test func notActivatedIsExpired() {
        for u in [F.user("a", "a@x.com", activated: false, state: nil), F.user("a", "a@x.com", state: "STAGED"),
                  F.user("a", "a@x.com", state: "SOMETHING_NEW")] {
            let o = check(u)
            #expect(o.kind == .accountExpired && o.reason.word == "not-activated")
            #expect(o.userMessage == "Your JumpCloud account is not activated.")
        }
    }

    @Test func stateDecidesWhenTheRecordHasOne() {
        // activated is JumpCloud's password status: ACTIVATED with "password pending" is a normal
        // user who signs in only through Entra and never set a JumpCloud password.
        #expect(check(F.user("a", "a@x.com", activated: false, state: "ACTIVATED")).kind == .success)
        // A STAGED user is not active even with a password set.
        let staged = check(F.user("a", "a@x.com", activated: true, state: "STAGED"))
        #expect(staged.kind == .accountExpired && staged.reason.word == "not-activated")
        #expect(staged.adminDetail.contains("state STAGED"))
    }

    @Test func activatedDecidesOnlyWithoutState() {
        #expect(check(F.user("a", "a@x.com", activated: true, state: nil)).kind == .success)
        let o = check(F.user("a", "a@x.com", activated: false, state: nil))
        #expect(o.kind == .accountExpired && o.reason.word == "not-activated")
        #expect(o.adminDetail.contains("no state"))
        #expect(check(F.user("a", "a@x.com", suspended: true, state: nil)).reason.word == "suspended")
    }

    @Test func lockedIsPermissionDenied() {
        let o = check(F.user("a", "a@x.com", locked: true))
        #expect(o.kind == .permissionDenied && o.reason.word == "locked")
        #expect(o.userMessage == "Your JumpCloud account is locked.")
        #expect(o.adminDetail.contains("locked"))
    }

    @Test func suspendedWinsOverLocked() {
        #expect(check(F.user("a", "a@x.com", suspended: true, locked: true)).kind == .accountExpired)
    }

    @Test func noDirectoryIsASuccessThatSaysSo() {
        let o = AccountCheck.check(pamUser: "alice", directory: nil, directoryPath: "/var/lib/jcfed/directory.json")
        #expect(o.kind == .success && o.reason.word == "no-directory")
        #expect(o.adminDetail.contains("not checked"))
    }

    @Test func userMissingFromTheDirectoryIsIgnored() {
        #expect(AccountCheck.check(pamUser: "zed", directory: F.directory, directoryPath: "/d").kind == .ignore)
    }

    /// A public-key login skips the mapping, so the account stage compares the record's unix_uid
    /// with the NSS uid itself: an org user named like an unmanaged local account ("ubuntu") with
    /// another uid is refused; without unix_uid, or with the same uid, nothing changes.
    @Test func unixUIDMustBeTheLocalUID() {
        let d = Directory(users: [DirectoryUser(id: "u1", username: "ubuntu", email: "u@x.com", unixUID: 5001)])
        let o = AccountCheck.check(pamUser: "ubuntu", directory: d, directoryPath: "/d", uid: 1000)
        #expect(o.kind == .permissionDenied && o.reason.word == "uid-mismatch")
        #expect(AccountCheck.check(pamUser: "ubuntu", directory: d, directoryPath: "/d", uid: 5001).kind == .success)
        let noUID = Directory(users: [DirectoryUser(id: "u1", username: "ubuntu", email: "u@x.com")])
        #expect(AccountCheck.check(pamUser: "ubuntu", directory: noUID, directoryPath: "/d", uid: 1000).kind == .success)
    }
}

/// The identity rules through ModuleStage with the files (config, directory, pins) in an
/// in-memory storage and fakes for NSS and the network: what pam_sm_authenticate / pam_sm_acct_mgmt will do.
@Suite struct AccountCheckStageTests {
    typealias F = IdentityFixtures

    final class NoNetwork: HTTPTransport {
        let calls: Counter
        init(_ calls: Counter) { self.calls = calls }
        func send(_ request: HTTPRequest, timeoutSeconds: Int) -> Result<HTTPResponse, TransportError> {
            calls.n += 1
            return .failure(.connect)
        }
    }

    final class Counter { var n = 0 }

    final class SilentPrompter: Prompter {
        func info(_ text: String) -> Bool { true }
        func error(_ text: String) -> Bool { true }
        func prompt(_ text: String, echo: Bool) -> String? { "" }
        var isTerminal: Bool { false }
    }

    struct World {
        let storage = MemoryStorage()
        var dir: MemoryDir { MemoryDir(storage: storage) }
        let transports = Counter()
        let users = FakeUsers(groups: ["dave": ["dave", "federated"]])

        func write(routing: String = "", directory: Directory?, extra: String = "") -> ModuleArguments {
            if let d = directory {
                _ = dir.write("directory.json", String(decoding: DirectoryFile.serialize(d), as: UTF8.self))
            }
            let conf = """
            [idp]
            url = https://login.microsoftonline.com/\(F.tenant)
            client_id = aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee
            [mapping]
            directory = \(dir.path)/directory.json
            state_dir = \(dir.path)/state
            \(extra)
            [routing]
            groups = \(routing)

            """
            return ModuleArguments(["config=" + dir.write("jcfed.conf", conf, mode: 0o644)])
        }

        var environment: LoginEnvironment {
            let calls = transports
            return LoginEnvironment(log: MemoryLogSink(), clock: FixedClock(), users: users, prompter: SilentPrompter(),
                                    makeTransport: { _ in calls.n += 1; return NoNetwork(calls) },
                                    makeVerifier: { FakeVerifier() },  // made, never asked: these logins end before a token
                                    storage: storage)
        }

        func auth(_ user: String, _ args: ModuleArguments) -> Outcome {
            ModuleStage.authenticate(args: args, environment: environment, pamUser: user)
        }

        func account(_ user: String, _ args: ModuleArguments) -> Outcome {
            ModuleStage.account(args: args, environment: environment, pamUser: user)
        }
    }

    static var directory: Directory {
        var d = Directory(users: [F.user("alice", "alice@contoso.com", groups: ["Engineering"]),
                                  F.user("bob", "bob@contoso.com", groups: ["Engineering"], suspended: true, state: "SUSPENDED"),
                                  F.user("carol", "carol@contoso.com", groups: ["Engineering"], locked: true),
                                  F.user("dave", "dave@contoso.com")])
        d.boundUserIDs = Set(d.users.filter { $0.username != "carol" }.map { $0.id })
        d.metadata.syncedAt = FixedClock().wallSeconds() - 60
        return d
    }

    @Test func notRoutedUserIsIgnoredWithoutAnyNetwork() {
        let w = World()
        let args = w.write(routing: "Engineering", directory: Self.directory)
        // dave: neither a JumpCloud member of Engineering nor in a local group of that name.
        #expect(w.auth("dave", args).reason.word == "not-routed")
        #expect(w.account("dave", args).kind == .ignore)
        #expect(w.transports.n == 0)
    }

    @Test func localGroupRoutes() {
        let w = World()
        let args = w.write(routing: "federated", directory: Self.directory)
        #expect(w.account("dave", args).kind == .success)
        #expect(w.account("alice", args).reason.word == "not-routed")
    }

    @Test func suspendedUserFailsTheAccountStage() {
        let w = World()
        let args = w.write(routing: "Engineering", directory: Self.directory)
        let o = w.account("bob", args)
        #expect(o.kind == .accountExpired)
        #expect(o.userMessage == "Your JumpCloud account is suspended.")
        #expect(w.account("alice", args).kind == .success)
    }

    @Test func unboundUserIsNotFederatedAndRefusedAtAccount() {
        var d = Self.directory
        d.users[2].accountLocked = false
        let w = World()
        let args = w.write(directory: d)
        let auth = w.auth("carol", args)
        #expect(auth.kind == .ignore && auth.reason.word == "not-bound")
        #expect(w.transports.n == 0)
        #expect(w.account("carol", args).kind == .permissionDenied)
    }

    @Test func staleDirectoryUnderDenyRefusesRoutedUsers() {
        var d = Self.directory
        d.metadata.syncedAt = FixedClock().wallSeconds() - 30 * 86400
        let w = World()
        let args = w.write(directory: d, extra: "stale_directory = deny")
        let o = w.auth("alice", args)
        #expect(o.kind == .unavailable && o.reason.word == "stale-directory")
        #expect(w.account("alice", args).kind == .unavailable)
        #expect(w.transports.n == 0)
    }

    @Test func malformedDirectoryIsAServiceError() {
        let w = World()
        _ = w.dir.write("directory.json", "{}")
        let args = w.write(directory: nil)
        #expect(w.account("alice", args).kind == .serviceError)
    }

    @Test func authorizePinsTheFirstIdentityAndRefusesAnother() throws {
        let w = World()
        let args = w.write(directory: Self.directory)
        let env = w.environment
        let subject = try LoginSubject.resolve(args: args, environment: env, pamUser: "alice").get()
        #expect(try IdentityMapper.authorize(F.identity(), subject: subject, environment: env).get().name == "alice")
        let other = F.identity(oid: "dddddddd-0000-0000-0000-000000000004")
        guard case .failure(let r) = IdentityMapper.authorize(other, subject: subject, environment: env) else {
            Issue.record("a second Entra object took over alice"); return
        }
        #expect(r.reason.word == "pin-mismatch")
        #expect(r.kind == .authError)
        // Pinning off: no store is touched.
        let unpinned = w.write(directory: Self.directory, extra: "pin_identity = no")
        let s2 = try LoginSubject.resolve(args: unpinned, environment: env, pamUser: "alice").get()
        #expect(try IdentityMapper.authorize(other, subject: s2, environment: env).get().name == "alice")
    }
}
