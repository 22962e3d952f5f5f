import Testing
@testable import JCFedCore

// The record the core writes for the front module (pam/front/pam_jcfed_front.c): its exact text,
// and when a decision gets one. The front's side (each input checked, forged records refused) is
// Tests/integration/test_not_federated_record.py, on real files, NSS and libpam.

final class KeptRecords: NotFederatedMemo {
    var records: [NotFederatedRecord] = []
    func remember(_ record: NotFederatedRecord) { records.append(record) }
}

@Suite struct NotFederatedRecordTests {
    static let file = FileIdentity(device: 2049, inode: 131_073, size: 402, modified: (1_796_384_117, 514_746_798),
                                   changed: (1_796_384_118, 5))

    @Test func theTextIsWhatTheFrontCompares() {
        var r = NotFederatedRecord(written: 1_796_384_200, configPath: "/etc/jcfed/jcfed.conf", config: Self.file,
                                   directoryPath: "/var/lib/jcfed/directory.json", directory: nil,
                                   userName: "dave", uid: 1004, groups: ["dave", "staff ü"])
        #expect(String(decoding: r.encoded, as: UTF8.self) == """
            jcfed-not-federated 1
            written 1796384200
            config 2f6574632f6a636665642f6a636665642e636f6e66 2049 131073 402 1796384117 514746798 1796384118 5
            directory 2f7661722f6c69622f6a636665642f6469726563746f72792e6a736f6e missing
            user 64617665 1004
            groups 64617665 737461666620c3bc

            """)
        r.directory = Self.file
        r.groups = []
        let text = String(decoding: r.encoded, as: UTF8.self)
        #expect(text.contains("\ndirectory 2f7661722f6c69622f6a636665642f6469726563746f72792e6a736f6e 2049 131073 402 1796384117 514746798 1796384118 5\n"))
        #expect(text.hasSuffix("\ngroups\n"))
    }

    // MARK: when a decision is recorded, through the stages

    func world(_ memo: KeptRecords) -> (HostileWorld, LoginEnvironment) {
        let w = HostileWorld()
        var env = w.environment
        env.notFederatedMemo = memo
        return (w, env)
    }

    @Test func aUserOutsideTheRoutedGroupsIsRecordedWithEveryInput() throws {
        let memo = KeptRecords()
        let (w, env) = world(memo)
        let args = w.args(w.conf(routing: "groups = federated"))
        let o = ModuleStage.authenticate(args: args, environment: env, pamUser: "dave")
        #expect(o.reason.word == "not-routed")
        let r = try #require(memo.records.first)
        #expect(memo.records.count == 1)
        #expect(r.configPath == args.configPath && r.config.size > 0)
        #expect(r.directoryPath == w.dir.path + "/directory.json" && r.directory == nil)
        #expect(r.userName == "dave" && r.uid == 1004 && r.groups == ["dave", "staff"])
        #expect(r.written == FixedClock().wallSeconds())
        // The account stage decides the same and records it again.
        #expect(ModuleStage.account(args: args, environment: env, pamUser: "dave").reason.word == "not-routed")
        #expect(memo.records.count == 2 && memo.records[1] == r)
    }

    @Test func aUserOutsideTheDirectoryIsRecordedWithTheDirectoryFile() throws {
        let memo = KeptRecords()
        let (w, env) = world(memo)
        let args = w.args(w.conf(), directory: HostileWorld.directory)
        #expect(ModuleStage.account(args: args, environment: env, pamUser: "dave").reason.word == "not-in-directory")
        let r = try #require(memo.records.first)
        #expect(r.directory != nil && r.directory?.size == Int64(w.storage.text(r.directoryPath)?.utf8.count ?? -1))
    }

    @Test func routedUsersAndOtherAnswersAreNeverRecorded() {
        let memo = KeptRecords()
        let (w, env) = world(memo)
        // Routed (the IdP is asked), not bound, suspended, root, a system account, no account.
        let args = w.args(w.conf(routing: "groups = federated"))
        _ = ModuleStage.authenticate(args: args, environment: env, pamUser: "alice")
        var d = HostileWorld.directory
        d.boundUserIDs = []
        let bound = w.args(w.conf(), directory: d)
        #expect(ModuleStage.authenticate(args: bound, environment: env, pamUser: "carol").reason.word == "not-bound")
        #expect(ModuleStage.account(args: bound, environment: env, pamUser: "alice").kind != .ignore)
        for user in ["root", "toor", "sysuser", "nobody", "nosuchuser"] {
            _ = ModuleStage.authenticate(args: args, environment: env, pamUser: user)
        }
        #expect(memo.records.isEmpty)
    }

    @Test func decisionsSomethingElseWouldHaveLoggedAreNotRecorded() {
        let memo = KeptRecords()
        let (w, env) = world(memo)
        let plain = w.args(w.conf(routing: "groups = federated"))
        // `debug` and unknown arguments: the core logs; the front would not.
        _ = ModuleStage.authenticate(args: ModuleArguments(["config=" + plain.configPath, "debug"]), environment: env, pamUser: "dave")
        _ = ModuleStage.authenticate(args: ModuleArguments(["config=" + plain.configPath, "try_first_pass"]), environment: env, pamUser: "dave")
        // A configuration with a warning or an error.
        let warned = w.args(w.conf(routing: "groups = federated\nunknown_key = 1"))
        _ = ModuleStage.authenticate(args: warned, environment: env, pamUser: "dave")
        #expect(memo.records.isEmpty)
        // A typed name NSS changed (logged at notice).
        let (w2, env2) = { () -> (HostileWorld, LoginEnvironment) in
            let w = HostileWorld(caseInsensitive: true)
            var env = w.environment
            env.notFederatedMemo = memo
            return (w, env)
        }()
        let args2 = w2.args(w2.conf(routing: "groups = federated"))
        #expect(ModuleStage.authenticate(args: args2, environment: env2, pamUser: "DAVE").reason.word == "not-routed")
        #expect(memo.records.isEmpty)
        #expect(ModuleStage.authenticate(args: args2, environment: env2, pamUser: "dave").reason.word == "not-routed")
        #expect(memo.records.count == 1)
    }

    @Test func aStorageWithoutFileIdentitiesRecordsNothing() {
        let memo = KeptRecords()
        let w = HostileWorld()
        let args = w.args(w.conf(routing: "groups = federated"))
        let account = LocalAccount(name: "dave", uid: 1004, gid: 1004)
        var subject = LoginSubject(pamUser: "dave", account: account,
                                   loaded: LoadedConfig(config: JCFedConfig(), warnings: [], clientSecret: nil), directory: nil)
        let outcome = Outcome.notRouted("dave", groups: ["federated"])
        #expect(NotFederatedRecord.of(outcome, subject: subject, args: args, users: w.users, now: 1) == nil)
        subject.loaded.fileIdentity = Self.file
        #expect(NotFederatedRecord.of(outcome, subject: subject, args: args, users: w.users, now: 1) != nil)
        // A directory that was read but has no identity cannot be checked by the front.
        subject.directory = HostileWorld.directory
        #expect(NotFederatedRecord.of(outcome, subject: subject, args: args, users: w.users, now: 1) == nil)
        _ = memo
    }
}
