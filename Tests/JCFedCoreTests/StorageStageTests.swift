import Testing
@testable import JCFedCore

/// The stages on an in-memory ModuleStorage: configuration, client secret, directory, pins and
/// cache are reached only through the storage, so the rules it enforces decide the outcome and no
/// real folder is needed (SecureFolderTests show the same rules on real files).
@Suite struct StorageStageTests {
    typealias F = IdentityFixtures
    typealias Stage = AccountCheckStageTests

    static let conf = "/etc/jcfed/jcfed.conf"

    final class World {
        let storage = MemoryStorage()
        let log = MemoryLogSink()
        let transports = Stage.Counter()
        let users = FakeUsers()

        init(extra: String = "", idpExtra: String = "", mode: UInt32 = 0o644) {
            storage.folder("/etc/jcfed")
            storage.file(StorageStageTests.conf, """
                [idp]
                url = https://login.microsoftonline.com/\(F.tenant)
                client_id = aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee
                cache_dir = /var/cache/jcfed
                \(idpExtra)
                [mapping]
                directory = /var/lib/jcfed/directory.json
                state_dir = /var/lib/jcfed
                \(extra)
                """, mode: mode)
            storage.folder("/var/cache")
            storage.folder("/var/lib/jcfed")
        }

        var environment: LoginEnvironment {
            let calls = transports
            return LoginEnvironment(log: log, clock: FixedClock(), users: users, prompter: Stage.SilentPrompter(),
                                    makeTransport: { _ in calls.n += 1; return Stage.NoNetwork(calls) },
                                    makeVerifier: { FakeVerifier() }, storage: storage)
        }

        func auth(_ user: String) -> Outcome {
            ModuleStage.authenticate(args: ModuleArguments(["config=" + StorageStageTests.conf]), environment: environment, pamUser: user)
        }
    }

    @Test func systemAccountsAreDecidedWithoutReadingAFile() {
        let w = World(mode: 0o666)
        #expect(w.auth("sysuser").kind == .ignore)
        #expect(w.auth("root").kind == .ignore)
        #expect(w.storage.reads.isEmpty)
    }

    @Test func unsafeConfigurationRefusesARoutedUser() {
        let w = World(mode: 0o664)
        let o = w.auth("alice")
        #expect(o.kind == .serviceError && o.reason.word == "config")
        #expect(w.log.text.contains("\(Self.conf): has mode 0664, must not be writable by group or others"), "\(w.log.text)")
        #expect(w.transports.n == 0)
    }

    @Test func configurationOwnedBySomeoneElseIsRefused() {
        let w = World()
        w.storage.file(Self.conf, "[idp]\n", uid: 4242)
        #expect(w.auth("alice").kind == .serviceError)
        #expect(w.log.text.contains("is owned by uid 4242, must be owned by root"))
    }

    @Test func clientSecretReadableByOthersIsAConfigurationError() {
        let w = World(idpExtra: "client_secret_file = /etc/jcfed/secret")
        w.storage.file("/etc/jcfed/secret", "s3cret\n", mode: 0o644)
        let (_, problems) = ConfigLoader.loadForLogin(path: Self.conf, storage: w.storage)
        #expect(problems.errors.first?.key == "idp.client_secret_file")
        #expect(problems.errors.first?.problem.contains("must not be readable by others (chmod 600)") == true)
        w.storage.file("/etc/jcfed/secret", "s3cret\n", mode: 0o600)
        let (loaded, ok) = ConfigLoader.loadForLogin(path: Self.conf, storage: w.storage)
        #expect(ok.isEmpty && loaded.clientSecret == "s3cret")
    }

    @Test func directoryIsReadThroughTheStorage() throws {
        let w = World()
        var d = F.directory
        d.metadata.syncedAt = 1_000
        w.storage.file("/var/lib/jcfed/directory.json", String(decoding: DirectoryFile.serialize(d), as: UTF8.self),
                       mode: 0o600, modifiedAt: 900)
        var s = MappingSettings()
        s.directory = "/var/lib/jcfed/directory.json"
        let loaded = try #require(try DirectoryLoader.load(settings: s, now: 1_100, storage: w.storage).get())
        #expect(loaded.users == d.users && loaded.modifiedAt == 900 && loaded.ageSeconds == 100)
        s.directory = "/var/lib/jcfed/absent.json"
        #expect(try DirectoryLoader.load(settings: s, now: 1_100, storage: w.storage).get() == nil)
    }

    @Test func symlinkedDirectoryRefusesTheLogin() {
        let w = World()
        w.storage.link("/var/lib/jcfed/directory.json")
        let o = w.auth("alice")
        #expect(o.kind == .serviceError && o.reason.word == "directory")
        #expect(o.adminDetail.contains("is a symbolic link (not followed)"))
    }

    @Test func cacheFolderOthersCanWriteRefusesTheLoginBeforeTheNetwork() {
        let w = World()
        w.storage.folder("/var/cache/jcfed", mode: 0o777)
        let o = w.auth("alice")
        #expect(o.kind == .serviceError && o.reason.word == "unsafe-cache-dir")
        #expect(o.adminDetail.contains("/var/cache/jcfed has mode 0777, must not be writable by group or others"))
        #expect(w.transports.n == 0)
    }

    @Test func missingCacheFolderIsCreatedOwnerOnly() {
        let w = World()
        let o = w.auth("alice")
        #expect(o.kind == .unavailable)
        #expect(w.storage.entries["/var/cache/jcfed"]?.mode == 0o700)
    }

    @Test func pinsLiveInAPrivateFolderOfTheStorage() throws {
        let storage = MemoryStorage()
        storage.folder("/var/lib/jcfed")
        let store = PinStore(stateDir: "/var/lib/jcfed", storage: storage)
        let identity = VerifiedIdentity(issuer: F.issuer, tid: F.tenant, oid: F.aliceOID, sub: "s")
        #expect(try IdentityPinning.enforce(store: store, account: "alice", identity: identity, now: 5, log: MemoryLogSink()).get() == .unpinned)
        #expect(storage.entries["/var/lib/jcfed/pins"]?.mode == 0o700)
        #expect(storage.entries["/var/lib/jcfed/pins/alice"]?.mode == 0o600)
        let other = VerifiedIdentity(issuer: F.issuer, tid: F.tenant, oid: "bbbbbbbb-0000-0000-0000-000000000002", sub: "s")
        guard case .failure(let r) = IdentityPinning.enforce(store: store, account: "alice", identity: other, now: 6, log: MemoryLogSink()) else {
            Issue.record("another identity took over a pinned account"); return
        }
        #expect(r.kind == .authError || r.kind == .permissionDenied)
        // A pins folder others can enter is refused, never used.
        storage.entries["/var/lib/jcfed/pins"]?.mode = 0o755
        guard case .failure(let f) = store.check(account: "alice", tid: F.tenant, oid: F.aliceOID) else {
            Issue.record("open pins folder used"); return
        }
        #expect(f.problem == "/var/lib/jcfed/pins has mode 0755, must not be accessible by group or others (chmod 0700)")
        storage.entries["/var/lib/jcfed/pins"]?.mode = 0o700
        #expect(try store.list().get().pins.map(\.account) == ["alice"])
        #expect(try store.removeAll().get())
        #expect(storage.entries["/var/lib/jcfed/pins/alice"] == nil && storage.entries["/var/lib/jcfed/pins"] == nil)
        #expect(try store.removeAll().get() == false)
    }
}
