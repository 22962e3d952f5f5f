import Dispatch
import Testing
@testable import JCFedCore
@testable import JCFedSystem
#if canImport(Glibc)
import Glibc
#endif

/// SecureFolder, the one way jcfed opens its files: the pam-u2f rules for jcfed.conf and the
/// secret file, each shown refusing a real file, then folders, atomic replace, exclusive create
/// and removal. Files are created by the test user (root in CI); "wrong owner" is shown by
/// requiring another uid.
@Suite final class SecureFolderTests {
    let dir: TemporaryDirectory
    let me = TemporaryDirectory.currentUID

    func read(_ path: String, owner: UInt32? = nil, maxBytes: Int = 64 * 1024, secret: Bool = false) -> Result<[UInt8], FileRefusal> {
        SecureFolder.read(path, owner: owner ?? me, maxBytes: maxBytes, holdsSecret: secret).map(\.bytes)
    }

    func readText(_ path: String, secret: Bool = false) -> Result<String, FileRefusal> {
        SecureFolder.readText(path, owner: me, holdsSecret: secret)
    }

    init() throws {
        dir = try TemporaryDirectory()
    }

    @Test func readsASafeFile() throws {
        let p = try dir.file("jcfed.conf", "[idp]\n", mode: 0o644)
        #expect(read(p) == .success(Array("[idp]\n".utf8)))
        #expect(readText(p) == .success("[idp]\n"))
    }

    @Test func emptyFileIsFine() throws {
        let p = try dir.file("empty", "", mode: 0o600)
        #expect(read(p) == .success([]))
    }

    @Test func ownerMismatchIsRefused() throws {
        let p = try dir.file("jcfed.conf", "x", mode: 0o644)
        let other: UInt32 = me == 4242 ? 4243 : 4242
        #expect(read(p, owner: other) == .failure(.wrongOwner(me)))
        #expect(FileRefusal.wrongOwner(me).description == "is owned by uid \(me), must be owned by root")
    }

    @Test(.enabled(if: TemporaryDirectory.isRoot, "chown needs root"))
    func fileChownedToAUserIsRefusedForRoot() throws {
        let p = try dir.file("jcfed.conf", "x", mode: 0o644)
        try dir.chown(p, uid: 4242)
        #expect(read(p, owner: 0) == .failure(.wrongOwner(4242)))
    }

    @Test(arguments: [0o664, 0o646, 0o666, 0o620, 0o602, 0o777] as [mode_t])
    func groupOrOtherWritableIsRefused(_ mode: mode_t) throws {
        let p = try dir.file("jcfed.conf", "x", mode: mode)
        guard case .failure(.groupOrOtherWritable(let m)) = read(p) else {
            Issue.record("mode \(String(mode, radix: 8)) accepted"); return
        }
        #expect(m & 0o7777 == UInt32(mode))
        #expect(FileRefusal.groupOrOtherWritable(m).description.contains("mode 0\(String(mode, radix: 8))"))
    }

    @Test(arguments: [0o644, 0o640, 0o600, 0o444, 0o400] as [mode_t])
    func modesWithoutWriteForOthersAreFine(_ mode: mode_t) throws {
        let p = try dir.file("jcfed.conf", "x", mode: mode)
        #expect(read(p) == .success([UInt8(ascii: "x")]))
    }

    @Test func symlinkIsNotFollowed() throws {
        let target = try dir.file("real.conf", "x", mode: 0o644)
        let link = try dir.symlink("jcfed.conf", to: target)
        #expect(read(link) == .failure(.symlink))
        // The target itself is fine: it is the link that is refused.
        #expect(read(target) == .success([UInt8(ascii: "x")]))
    }

    @Test func danglingSymlinkIsRefusedAsSymlink() throws {
        let link = try dir.symlink("jcfed.conf", to: dir.path("nowhere"))
        #expect(read(link) == .failure(.symlink))
    }

    @Test func directoryIsNotARegularFile() throws {
        let d = try dir.directory("jcfed.conf", mode: 0o755)
        #expect(read(d) == .failure(.notRegular))
    }

    @Test func fifoIsNotARegularFileAndDoesNotBlock() throws {
        // No writer ever opens it: a blocking open would hang the login here.
        let f = try dir.fifo("jcfed.conf")
        #expect(read(f) == .failure(.notRegular))
    }

    @Test func deviceIsNotARegularFile() {
        #expect(read("/dev/null", owner: 0) == .failure(.notRegular))
    }

    @Test func sizeCapIsEnforced() throws {
        let p = try dir.file("big.conf", bytes: [UInt8](repeating: UInt8(ascii: "#"), count: 100), mode: 0o644)
        #expect(read(p, maxBytes: 99) == .failure(.tooLarge(99)))
        #expect((try? read(p, maxBytes: 100).get())?.count == 100)
    }

    @Test func defaultCapIs64KiB() throws {
        let p = try dir.file("big.conf", bytes: [UInt8](repeating: 0x23, count: 64 * 1024 + 1), mode: 0o644)
        #expect(read(p) == .failure(.tooLarge(64 * 1024)))
    }

    @Test(arguments: [0o644, 0o604, 0o444] as [mode_t])
    func secretReadableByOthersIsRefused(_ mode: mode_t) throws {
        let p = try dir.file("client_secret", "s3cret\n", mode: mode)
        guard case .failure(.readableByOthers(let m)) = read(p, secret: true) else {
            Issue.record("secret with mode \(String(mode, radix: 8)) accepted"); return
        }
        #expect(FileRefusal.readableByOthers(m).description.contains("chmod 600"))
        // The same file is fine when it holds no secret.
        #expect(read(p) == .success(Array("s3cret\n".utf8)))
    }

    @Test(arguments: [0o600, 0o400, 0o640] as [mode_t])
    func secretNotReadableByOthersIsFine(_ mode: mode_t) throws {
        let p = try dir.file("client_secret", "s3cret\n", mode: mode)
        #expect(readText(p, secret: true) == .success("s3cret\n"))
    }

    @Test func missingFile() {
        #expect(read(dir.path("absent.conf")) == .failure(.missing))
        #expect(FileRefusal.missing.description == "does not exist")
    }

    @Test func pathThroughAFileIsUnreadable() throws {
        let p = try dir.file("plain", "x")
        #expect(read(p + "/jcfed.conf") == .failure(.unreadable(ENOTDIR)))
    }

    @Test func invalidUTF8IsRefusedAsText() throws {
        let p = try dir.file("jcfed.conf", bytes: [0x5b, 0xff, 0xfe, 0x5d], mode: 0o644)
        #expect(readText(p) == .failure(.notUTF8))
        #expect((try? read(p).get()) == [0x5b, 0xff, 0xfe, 0x5d])
    }

    @Test func ownerIsCheckedBeforeMode() throws {
        // The admin sees the first problem that matters: someone else owns the file.
        let p = try dir.file("jcfed.conf", "x", mode: 0o666)
        let other: UInt32 = me == 4242 ? 4243 : 4242
        #expect(read(p, owner: other) == .failure(.wrongOwner(me)))
    }

    // MARK: folders

    func folder(_ path: String, _ checks: SecureFolder.Checks = .owned, owner: UInt32? = nil,
                create: mode_t? = nil) -> Result<SecureFolder, FileRefusal> {
        SecureFolder.open(path, owner: owner ?? me, checks: checks, createMode: create)
    }

    func mode(_ path: String) -> UInt32? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return UInt32(st.st_mode) & 0o7777
    }

    @Test func folderIsCreatedWithItsModeAndReopened() throws {
        let p = dir.path("state")
        #expect(folder(p).map(\.path) == .failure(.missing))
        _ = try folder(p, .privateToOwner, create: 0o700).get()
        #expect(mode(p) == 0o700)
        _ = try folder(p, .privateToOwner, create: 0o700).get()
    }

    @Test func folderThroughASymlinkIsRefused() throws {
        let real = try dir.directory("real", mode: 0o700)
        let link = try dir.symlink("link", to: real)
        // Linux answers O_DIRECTORY | O_NOFOLLOW on a link with ENOTDIR: "not a directory
        // (symlinks are not followed)", unsafe either way.
        #expect(folder(link).map(\.path) == .failure(.notDirectory))
        // Not created through the link either, nor when it dangles.
        #expect(folder(link, create: 0o700).map(\.path) == .failure(.notDirectory))
        let dangling = try dir.symlink("dangling", to: dir.path("nowhere"))
        guard case .failure(let r) = folder(dangling, create: 0o700), r.isUnsafe else { Issue.record("folder created through a dangling link"); return }
        #expect(mode(dir.path("nowhere")) == nil)
    }

    @Test func fileIsNotAFolder() throws {
        let f = try dir.file("plain", "x")
        #expect(folder(f).map(\.path) == .failure(.notDirectory))
        #expect(FileRefusal.notDirectory.isUnsafe)
    }

    @Test func folderOwnedBySomeoneElseIsRefused() throws {
        let d = try dir.directory("d", mode: 0o700)
        let other: UInt32 = me == 4242 ? 4243 : 4242
        #expect(folder(d, owner: other).map(\.path) == .failure(.wrongOwner(me)))
        #expect(FileRefusal.wrongOwner(4242).description == "is owned by uid 4242, must be owned by root")
    }

    @Test(arguments: [0o775, 0o757, 0o777, 0o1777] as [mode_t])
    func groupOrWorldWritableFolderIsRefused(_ m: mode_t) throws {
        let d = try dir.directory("d", mode: m)
        guard case .failure(.groupOrOtherWritable(let found)) = folder(d) else { Issue.record("mode \(String(m, radix: 8)) accepted"); return }
        #expect(found & 0o7777 == UInt32(m))
        #expect(FileRefusal.groupOrOtherWritable(found).description.contains("must not be writable by group or others"))
    }

    @Test(arguments: [0o750, 0o705, 0o755] as [mode_t])
    func privateFolderMustBeClosedToOthers(_ m: mode_t) throws {
        let d = try dir.directory("d", mode: m)
        _ = try folder(d, .owned).get()
        guard case .failure(.notPrivate) = folder(d, .privateToOwner) else { Issue.record("mode \(String(m, radix: 8)) accepted as private"); return }
    }

    @Test func relativeFolderIsRefused() {
        #expect(folder("relative/state").map(\.path) == .failure(.notAbsolute))
        #expect(!FileRefusal.notAbsolute.isUnsafe)
    }

    @Test func filesAreReadRelativeToTheFolderAsOpened() throws {
        let a = try dir.directory("a", mode: 0o700)
        _ = try dir.file("a/f", "one", mode: 0o600)
        let opened = try folder(a).get()
        // The folder is renamed and another planted at its path: the open folder still reads its own file.
        #expect(rename(a, dir.path("moved")) == 0)
        _ = try dir.directory("a", mode: 0o700)
        _ = try dir.file("a/f", "planted", mode: 0o600)
        #expect(opened.read("f", maxBytes: 100, holdsSecret: false).map(\.bytes) == .success(Array("one".utf8)))
        // Names never leave the folder.
        #expect(opened.read("../a/f", maxBytes: 100, holdsSecret: false).map(\.bytes) == .failure(.missing))
        #expect(opened.folder("..", checks: .owned).map(\.path) == .failure(.notDirectory))
    }

    // MARK: atomic replace

    @Test func replaceSetsTheModeAndLeavesNoTemporaryFile() throws {
        let p = dir.path("sub/dir/directory.json")
        try SecureFolder.replace(atPath: p, Array("one".utf8), mode: 0o600).get()
        try SecureFolder.replace(atPath: p, Array("two".utf8), mode: 0o640).get()
        #expect(mode(p) == 0o640)
        #expect(readText(p) == .success("two"))
        let f = try folder(dir.path("sub/dir"), .none).get()
        #expect(f.names() == .success(["directory.json"]))
    }

    @Test func replaceIsAtomicForAReaderHoldingTheOldFile() throws {
        let d = try folder(dir.directory("c", mode: 0o700)).get()
        try d.replace("f", [UInt8](repeating: 0x41, count: 100_000)).get()
        let fd = open(dir.path("c/f"), O_RDONLY)
        defer { close(fd) }
        try d.replace("f", Array("new".utf8)).get()
        var buffer = [UInt8](repeating: 0, count: 200_000)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        #expect(n == 100_000 && buffer.prefix(n).allSatisfy { $0 == 0x41 })
        #expect(d.read("f", maxBytes: 100).map(\.bytes) == .success(Array("new".utf8)))
        #expect(mode(dir.path("c/f")) == 0o600)
    }

    @Test func aReplaceThatNeedNotBeDurableIsTheSameReplace() throws {
        // The not-federated records: no fsync, the same atomic rename, mode and no temporary file.
        let d = try folder(dir.directory("r", mode: 0o755)).get()
        try d.replace("1004", Array("old".utf8), mode: 0o644, durable: false).get()
        let fd = open(dir.path("r/1004"), O_RDONLY)
        defer { close(fd) }
        try d.replace("1004", Array("new".utf8), mode: 0o644, durable: false).get()
        var buffer = [UInt8](repeating: 0, count: 16)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        #expect(Array(buffer.prefix(n)) == Array("old".utf8))
        #expect(d.read("1004", maxBytes: 100).map(\.bytes) == .success(Array("new".utf8)))
        #expect(mode(dir.path("r/1004")) == 0o644)
        #expect(d.names() == .success(["1004"]))
    }

    @Test func replaceFailureKeepsTheOldFile() throws {
        let p = dir.path("directory.json")
        try SecureFolder.replace(atPath: p, Array("old".utf8), mode: 0o600).get()
        // The parent of the target is a file: nothing can be written there.
        if case .success = SecureFolder.replace(atPath: p + "/child", Array("new".utf8), mode: 0o600) {
            Issue.record("write under a file succeeded")
        }
        #expect(readText(p) == .success("old"))
    }

    @Test func replaceReplacesALinkAndNeverWritesThroughIt() throws {
        let victim = try dir.file("victim", "keep", mode: 0o600)
        let d = try folder(dir.directory("c", mode: 0o700)).get()
        _ = try dir.symlink("c/f", to: victim)
        try d.replace("f", Array("new".utf8)).get()
        #expect(readText(victim) == .success("keep"))
        #expect(d.read("f", maxBytes: 100).map(\.bytes) == .success(Array("new".utf8)))
    }

    // MARK: exclusive create

    @Test func createExclusiveNeverOverwrites() throws {
        let d = try folder(dir.directory("pins", mode: 0o700), .privateToOwner).get()
        #expect(d.createExclusive("alice", Array("first".utf8)) == .success(true))
        #expect(d.createExclusive("alice", Array("second".utf8)) == .success(false))
        #expect(d.read("alice", maxBytes: 100).map(\.bytes) == .success(Array("first".utf8)))
        #expect(mode(dir.path("pins/alice")) == 0o600)
        #expect(d.names() == .success(["alice"]))
    }

    @Test func createExclusiveRaceHasExactlyOneWinner() throws {
        let path = try dir.directory("pins", mode: 0o700)
        let attempts = 16
        let wins = Counter()
        DispatchQueue.concurrentPerform(iterations: attempts) { i in
            // Each racer opens the folder itself, as concurrent logins do.
            guard case .success(let d) = SecureFolder.open(path, owner: me, checks: .privateToOwner),
                  case .success(true) = d.createExclusive("alice", Array("racer \(i)".utf8)) else { return }
            wins.add()
        }
        #expect(wins.value == 1)
        let d = try folder(path, .privateToOwner).get()
        guard case .success(let text) = d.read("alice", maxBytes: 100).flatMap(\.text) else { Issue.record("no pin"); return }
        #expect(text.hasPrefix("racer "))
        #expect(d.names() == .success(["alice"]))
    }

    final class Counter: @unchecked Sendable {
        private var n = 0
        private var lock = pthread_mutex_t()
        init() { pthread_mutex_init(&lock, nil) }
        func add() { pthread_mutex_lock(&lock); n += 1; pthread_mutex_unlock(&lock) }
        var value: Int { pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }; return n }
    }

    // MARK: removal and the locked stamp

    @Test func removeTreeDoesNotFollowLinks() throws {
        let outside = try dir.directory("outside", mode: 0o700)
        _ = try dir.file("outside/keep", "x", mode: 0o600)
        _ = try dir.directory("state", mode: 0o755)
        _ = try dir.directory("state/pins", mode: 0o700)
        _ = try dir.file("state/pins/alice", "x", mode: 0o600)
        _ = try dir.symlink("state/pins/link", to: outside)
        _ = try dir.directory("state/pins/sub", mode: 0o700)
        _ = try dir.file("state/pins/sub/f", "x", mode: 0o600)
        let state = try folder(dir.path("state")).get()
        #expect(state.removeTree("pins") == .success(true))
        #expect(state.names() == .success([]))
        #expect(mode(dir.path("outside/keep")) == 0o600)
        #expect(state.removeTree("pins") == .success(false))
    }

    @Test func updateLockedReplacesTheContentAndRefusesUnsafeFiles() throws {
        let d = try folder(dir.directory("c", mode: 0o700)).get()
        #expect(d.updateLocked("stamp", maxBytes: 32) { old in old.isEmpty ? Array("1\n".utf8) : nil })
        #expect(!d.updateLocked("stamp", maxBytes: 32) { old in old.isEmpty ? Array("2\n".utf8) : nil })
        #expect(d.read("stamp", maxBytes: 32).map(\.bytes) == .success(Array("1\n".utf8)))
        #expect(d.updateLocked("stamp", maxBytes: 32) { _ in [] })
        #expect(d.read("stamp", maxBytes: 32).map(\.bytes) == .success([]))
        chmod(dir.path("c/stamp"), 0o666)
        #expect(!d.updateLocked("stamp", maxBytes: 32) { _ in Array("3".utf8) })
        let victim = try dir.file("victim", "keep", mode: 0o600)
        _ = try dir.symlink("c/link", to: victim)
        #expect(!d.updateLocked("link", maxBytes: 32) { _ in Array("3".utf8) })
        #expect(readText(victim) == .success("keep"))
    }
}
