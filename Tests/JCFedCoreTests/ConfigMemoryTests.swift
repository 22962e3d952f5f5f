import Testing
@testable import JCFedCore

/// The parsed jcfed.conf kept between the stages of one PAM transaction (ConfigMemory): the
/// account stage reuses what auth read, and nothing else is reused.
@Suite struct ConfigMemoryTests {
    static let conf = "/etc/jcfed/jcfed.conf"

    /// A memory like the module's (pam_set_data keeps one parsed file per handle).
    final class HandleMemory: ConfigMemory {
        var stored: ParsedConfigFile?
        var recalls = 0
        func recall(path: String) -> ParsedConfigFile? {
            recalls += 1
            return stored?.path == path ? stored : nil
        }
        func remember(_ file: ParsedConfigFile) { stored = file }
    }

    final class World {
        let storage = MemoryStorage()
        let log = MemoryLogSink()
        let memory = HandleMemory()
        let users = FakeUsers(groups: ["alice": ["federated"]])

        init() {
            storage.folder("/etc/jcfed")
            write(groups: "federated")
        }

        func write(groups: String, extra: String = "") {
            storage.file(ConfigMemoryTests.conf, """
                [idp]
                url = https://login.microsoftonline.com/\(IdentityFixtures.tenant)
                client_id = aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee
                \(extra)
                [routing]
                groups = \(groups)
                """)
        }

        var environment: LoginEnvironment {
            LoginEnvironment(log: log, clock: FixedClock(), users: users, prompter: nil,
                             makeTransport: { _ in FakeTransport() }, makeVerifier: { FakeVerifier() },
                             storage: storage, configMemory: memory)
        }

        func stage(_ auth: Bool, _ user: String, config: String = ConfigMemoryTests.conf) -> Outcome {
            let args = ModuleArguments(["config=" + config])
            return auth ? ModuleStage.authenticate(args: args, environment: environment, pamUser: user)
                        : ModuleStage.account(args: args, environment: environment, pamUser: user)
        }
    }

    @Test func accountReusesWhatAuthParsed() {
        let w = World()
        #expect(w.stage(true, "dave").reason == .notRouted)
        #expect(w.stage(false, "dave").reason == .notRouted)
        #expect(w.storage.reads[Self.conf] == 1, "\(w.storage.reads)")
    }

    /// The memory is a snapshot of one transaction: an edit between auth and account applies
    /// from the next transaction (a new handle, a new memory), not half-way through this one.
    @Test func anEditBetweenTheStagesAppliesToTheNextTransaction() {
        let w = World()
        #expect(w.stage(true, "dave").reason == .notRouted)
        w.write(groups: "federated other")
        w.users.groups["dave"] = ["other"]
        #expect(w.stage(false, "dave").reason == .notRouted)
        let next = World()
        next.write(groups: "federated other")
        next.users.groups["dave"] = ["other"]
        #expect(next.stage(false, "dave").reason != .notRouted)
    }

    @Test func anotherConfigPathIsReadNotRecalled() {
        let w = World()
        let other = "/etc/jcfed/other.conf"
        w.storage.file(other, "[idp]\nurl = https://login.microsoftonline.com/\(IdentityFixtures.tenant)\nclient_id = aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\n")
        #expect(w.stage(true, "dave").reason == .notRouted)
        #expect(w.stage(false, "dave", config: other).reason != .notRouted)
        #expect(w.storage.reads[other] == 1 && w.storage.reads[Self.conf] == 1)
    }

    /// A file that could not be read is not remembered: the next stage reads it again.
    @Test func anUnreadableFileIsReadAgain() {
        let w = World()
        w.storage.file(Self.conf, "[idp]\n", mode: 0o666)
        #expect(w.stage(true, "alice").kind == .serviceError)
        #expect(w.memory.stored == nil)
        w.write(groups: "federated")
        #expect(w.stage(false, "dave").reason == .notRouted)
        #expect(w.memory.stored != nil)
    }

    /// Errors and warnings travel with the parse: account decides and logs as auth did.
    @Test func problemsAndWarningsAreRecalledToo() {
        let w = World()
        w.write(groups: "federated", extra: "http_timeout = 0\nunknown_key = 1")
        let auth = w.stage(true, "alice")
        let account = w.stage(false, "alice")
        #expect(auth.kind == .serviceError && account.kind == .serviceError)
        #expect(w.storage.reads[Self.conf] == 1)
        let lines = w.log.text.split(separator: "\n")
        #expect(lines.filter { $0.contains("idp.http_timeout") }.count == 2, "\(w.log.text)")
        #expect(lines.filter { $0.contains("idp.unknown_key") }.count == 2, "\(w.log.text)")
    }

    /// The client secret is not part of what is remembered: each stage reads it.
    @Test func theClientSecretIsNotRemembered() {
        let w = World()
        w.storage.file("/etc/jcfed/secret", "s3cret\n", mode: 0o600)
        w.write(groups: "federated", extra: "client_secret_file = /etc/jcfed/secret")
        let (first, _) = ConfigLoader.loadForLogin(path: Self.conf, storage: w.storage, memory: w.memory)
        let (second, _) = ConfigLoader.loadForLogin(path: Self.conf, storage: w.storage, memory: w.memory)
        #expect(first.clientSecret == "s3cret" && second.clientSecret == "s3cret")
        #expect(w.storage.reads["/etc/jcfed/secret"] == 2 && w.storage.reads[Self.conf] == 1)
        #expect(!String(describing: w.memory.stored).contains("s3cret"))
    }
}
