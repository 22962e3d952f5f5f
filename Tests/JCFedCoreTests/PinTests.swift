#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Testing
@testable import JCFedCore
@testable import JCFedSystem

@Suite struct PinTests {
    typealias F = IdentityFixtures

    func store(_ dir: TemporaryDirectory) -> PinStore { PinStore(stateDir: dir.path + "/state", storage: SystemStorage(owner: getuid())) }

    func pin(_ account: String, oid: String = F.aliceOID, tid: String? = F.tenant) -> Pin {
        Pin(account: account, tid: tid, oid: oid, issuer: F.issuer, pinnedAt: 1_700_000_000)
    }

    @Test func emptyStoreIsUnpinned() throws {
        let dir = TemporaryDirectory()
        #expect(try store(dir).check(account: "alice", tid: F.tenant, oid: F.aliceOID).get() == .unpinned)
        #expect(try store(dir).list().get().pins.isEmpty)
    }

    @Test func firstUseBindsAndLaterChecksCompare() throws {
        let dir = TemporaryDirectory()
        let s = store(dir)
        #expect(try s.record(pin("alice")).get() == .unpinned)
        #expect(try s.check(account: "alice", tid: F.tenant, oid: F.aliceOID).get() == .matches(pin("alice")))
        #expect(try s.check(account: "alice", tid: F.tenant, oid: F.aliceOID.uppercased()).get() == .matches(pin("alice")))
        let other = "bbbbbbbb-0000-0000-0000-000000000002"
        #expect(try s.check(account: "alice", tid: F.tenant, oid: other).get() == .mismatch(pin("alice")))
        #expect(try s.check(account: "alice", tid: F.otherTenant, oid: F.aliceOID).get() == .mismatch(pin("alice")))
        // A second record never overwrites.
        #expect(try s.record(pin("alice", oid: other)).get() == .mismatch(pin("alice")))
        #expect(try s.lookup(account: "alice").get() == pin("alice"))
    }

    @Test func storeIsRootOnly() throws {
        let dir = TemporaryDirectory()
        let s = store(dir)
        _ = try s.record(pin("alice")).get()
        var st = stat()
        #expect(stat(s.directory, &st) == 0 && UInt32(st.st_mode) & 0o777 == 0o700)
        #expect(stat(s.directory + "/alice", &st) == 0 && UInt32(st.st_mode) & 0o777 == 0o600)
        // A store someone else can write to is refused, never silently used.
        chmod(s.directory, 0o777)
        guard case .failure = s.check(account: "alice", tid: F.tenant, oid: F.aliceOID) else {
            Issue.record("world-writable pin store used"); return
        }
        chmod(s.directory, 0o700)
        // A pin swapped for a symlink is refused.
        unlink(s.directory + "/alice")
        symlink("/etc/passwd", s.directory + "/alice")
        guard case .failure = s.check(account: "alice", tid: F.tenant, oid: F.aliceOID) else {
            Issue.record("symlinked pin followed"); return
        }
    }

    @Test func damagedPinFailsClosed() throws {
        let dir = TemporaryDirectory()
        let s = store(dir)
        _ = try s.record(pin("bob")).get()
        let fd = open(s.directory + "/bob", O_WRONLY | O_TRUNC)
        close(fd)
        guard case .failure(let f) = s.check(account: "bob", tid: F.tenant, oid: F.aliceOID) else {
            Issue.record("empty pin treated as no pin"); return
        }
        #expect(f.problem.contains("jcfed pins reset bob"))
    }

    @Test func fileNamesCannotEscapeTheStore() {
        #expect(PinStore.fileName("alice") == "alice")
        #expect(PinStore.fileName("a.b-c_d") == "a.b-c_d")
        #expect(PinStore.fileName("..") == "%2E.")
        #expect(PinStore.fileName("../etc/x") == "%2E.%2Fetc%2Fx")
        #expect(PinStore.fileName("alice@contoso.com") == "alice%40contoso.com")
        #expect(PinStore.fileName("ren\u{E9}") == "ren%C3%A9")
        #expect(PinStore.fileName("") == "")
        for name in ["alice", "..", "../etc/x", "alice@contoso.com", "ren\u{E9}", ".hidden"] {
            #expect(PinStore.accountName(fromFile: PinStore.fileName(name)) == name)
        }
        #expect(PinStore.accountName(fromFile: "%2") == nil)
        #expect(PinStore.accountName(fromFile: "%61lice") == nil)  // not the canonical spelling
    }

    @Test func listAndReset() throws {
        let dir = TemporaryDirectory()
        let s = store(dir)
        _ = try s.record(pin("carol")).get()
        _ = try s.record(pin("alice@contoso.com", tid: nil)).get()
        let listed = try s.list().get()
        #expect(listed.pins.map { $0.account } == ["alice@contoso.com", "carol"])
        #expect(listed.problems.isEmpty)
        #expect(try s.reset(account: "carol").get() == true)
        #expect(try s.reset(account: "carol").get() == false)
        #expect(try s.list().get().pins.map { $0.account } == ["alice@contoso.com"])
    }

    @Test func twentyConcurrentFirstLoginsOfDifferentUsers() throws {
        let dir = TemporaryDirectory()
        let s = store(dir)
        let results = ResultBox(count: 20)
        DispatchQueue.concurrentPerform(iterations: 20) { i in
            let p = Pin(account: "user\(i)", tid: F.tenant, oid: String(format8(i)) + "-0000-0000-0000-000000000000",
                        issuer: F.issuer, pinnedAt: 1)
            results.set(i, (try? s.record(p).get()) == .unpinned)
        }
        #expect(results.all)
        let listed = try s.list().get()
        #expect(listed.pins.count == 20)
        #expect(listed.problems.isEmpty)
        for p in listed.pins {
            let i = Int(p.account.dropFirst(4)) ?? -1
            #expect(p.oid.hasPrefix(format8(i)))
        }
    }

    @Test func concurrentFirstLoginsToOneAccountPinExactlyOnce() throws {
        let dir = TemporaryDirectory()
        let s = store(dir)
        let results = DecisionBox(count: 20)
        DispatchQueue.concurrentPerform(iterations: 20) { i in
            let p = Pin(account: "alice", tid: F.tenant, oid: format8(i) + "-0000-0000-0000-000000000000",
                        issuer: F.issuer, pinnedAt: 1)
            results.set(i, try? s.record(p).get())
        }
        let winners = results.values.filter { $0 == .unpinned }.count
        #expect(winners == 1)
        #expect(results.values.allSatisfy { $0 != nil })
        let pinned = try #require(try s.lookup(account: "alice").get())
        // Every loser was compared with the winner's pin.
        for case .mismatch(let p)? in results.values { #expect(p == pinned) }
    }

    // MARK: enforcement with logging

    @Test func enforcementLogsAMismatchNamingBothOIDs() throws {
        let dir = TemporaryDirectory()
        let s = store(dir)
        let log = MemoryLogSink()
        let first = IdentityPinning.enforce(store: s, account: "alice", identity: F.identity(), now: 5, log: log)
        #expect(try first.get() == .unpinned)
        #expect(log.lines.contains { $0.0 == .notice && $0.1.contains(F.aliceOID) })
        let newOID = "cccccccc-0000-0000-0000-000000000003"
        let second = IdentityPinning.enforce(store: s, account: "alice", identity: F.identity(oid: newOID), now: 6, log: log)
        guard case .failure(let r) = second else { Issue.record("new oid accepted for a pinned account"); return }
        #expect(r.reason.word == "pin-mismatch")
        let warning = try #require(log.lines.first { $0.0 == .warning })
        #expect(warning.1.contains(F.aliceOID) && warning.1.contains(newOID))
        // The original identity still gets in.
        #expect(try IdentityPinning.enforce(store: s, account: "alice", identity: F.identity(), now: 7, log: log).get()
                == .matches(Pin(account: "alice", tid: F.tenant, oid: F.aliceOID, issuer: F.issuer, pinnedAt: 5)))
    }

    @Test func pinLinesCarryCleanedBoundedClaims() throws {
        // oid (sub for oidc) and tid come from the token: a crafted one cannot forge or flood a line.
        let dir = TemporaryDirectory()
        let s = store(dir)
        let log = MemoryLogSink()
        let evil = "x\nSYSLOG 6 PAM auth done: user=alice result=success\r\u{0}\u{202E}" + String(repeating: "y", count: 400)
        _ = IdentityPinning.enforce(store: s, account: "alice", identity: F.identity(tid: evil, oid: evil), now: 5, log: log)
        let second = IdentityPinning.enforce(store: s, account: "alice", identity: F.identity(tid: evil, oid: evil + "2"), now: 6, log: log)
        guard case .failure(let r) = second else { Issue.record("another oid accepted"); return }
        #expect(r.reason.word == "pin-mismatch")
        #expect(log.lines.count == 2)
        for (_, line) in log.lines {
            #expect(!line.unicodeScalars.contains { SafeText.isUnsafe($0) })
            #expect(line.unicodeScalars.count < 2_000)
        }
    }

    @Test func brokenStoreRefusesTheLogin() {
        let dir = TemporaryDirectory()
        _ = dir.write("state", "not a directory")
        let s = store(dir)
        guard case .failure(let r) = IdentityPinning.enforce(store: s, account: "alice", identity: F.identity(), now: 5,
                                                             log: MemoryLogSink()) else {
            Issue.record("login allowed without a pin store"); return
        }
        #expect(r.kind == .serviceError)
    }
}

func format8(_ i: Int) -> String {
    let hex = String(i, radix: 16)
    return String(repeating: "0", count: max(0, 8 - hex.count)) + hex
}

final class ResultBox: @unchecked Sendable {
    private var values: [Bool]
    private var lock = pthread_mutex_t()
    init(count: Int) { values = Array(repeating: false, count: count); pthread_mutex_init(&lock, nil) }
    func set(_ i: Int, _ v: Bool) { pthread_mutex_lock(&lock); values[i] = v; pthread_mutex_unlock(&lock) }
    var all: Bool { values.allSatisfy { $0 } }
}

final class DecisionBox: @unchecked Sendable {
    private(set) var values: [PinDecision?]
    private var lock = pthread_mutex_t()
    init(count: Int) { values = Array(repeating: nil, count: count); pthread_mutex_init(&lock, nil) }
    func set(_ i: Int, _ v: PinDecision?) { pthread_mutex_lock(&lock); values[i] = v; pthread_mutex_unlock(&lock) }
}
