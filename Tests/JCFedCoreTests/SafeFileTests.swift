import Testing
@testable import JCFedCore
#if canImport(Glibc)
import Glibc
#endif

/// The pam-u2f rules for opening jcfed.conf and the secret file, each shown refusing a real file.
/// Files are created by the test user (root in CI); "wrong owner" is shown by requiring another uid.
@Suite final class SafeFileTests {
    let dir: TemporaryDirectory
    let me = TemporaryDirectory.currentUID
    var mine: SafeFile.Rules { SafeFile.Rules(owner: me) }

    init() throws {
        dir = try TemporaryDirectory()
    }

    @Test func readsASafeFile() throws {
        let p = try dir.file("jcfed.conf", "[idp]\n", mode: 0o644)
        #expect(SafeFile.read(p, rules: mine) == .success(Array("[idp]\n".utf8)))
        #expect(SafeFile.readText(p, rules: mine) == .success("[idp]\n"))
    }

    @Test func emptyFileIsFine() throws {
        let p = try dir.file("empty", "", mode: 0o600)
        #expect(SafeFile.read(p, rules: mine) == .success([]))
    }

    @Test func ownerMismatchIsRefused() throws {
        let p = try dir.file("jcfed.conf", "x", mode: 0o644)
        let other: UInt32 = me == 4242 ? 4243 : 4242
        #expect(SafeFile.read(p, rules: .init(owner: other)) == .failure(.wrongOwner(me)))
        #expect(SafeFile.Failure.wrongOwner(me).description == "is owned by uid \(me), must be owned by root")
    }

    @Test(.enabled(if: TemporaryDirectory.isRoot, "chown needs root"))
    func fileChownedToAUserIsRefusedForRoot() throws {
        let p = try dir.file("jcfed.conf", "x", mode: 0o644)
        try dir.chown(p, uid: 4242)
        #expect(SafeFile.read(p, rules: .init(owner: 0)) == .failure(.wrongOwner(4242)))
    }

    @Test(arguments: [0o664, 0o646, 0o666, 0o620, 0o602, 0o777] as [mode_t])
    func groupOrOtherWritableIsRefused(_ mode: mode_t) throws {
        let p = try dir.file("jcfed.conf", "x", mode: mode)
        guard case .failure(.groupOrOtherWritable(let m)) = SafeFile.read(p, rules: mine) else {
            Issue.record("mode \(String(mode, radix: 8)) accepted"); return
        }
        #expect(m & 0o7777 == UInt32(mode))
        #expect(SafeFile.Failure.groupOrOtherWritable(m).description.contains("mode 0\(String(mode, radix: 8))"))
    }

    @Test(arguments: [0o644, 0o640, 0o600, 0o444, 0o400] as [mode_t])
    func modesWithoutWriteForOthersAreFine(_ mode: mode_t) throws {
        let p = try dir.file("jcfed.conf", "x", mode: mode)
        #expect(SafeFile.read(p, rules: mine) == .success([UInt8(ascii: "x")]))
    }

    @Test func symlinkIsNotFollowed() throws {
        let target = try dir.file("real.conf", "x", mode: 0o644)
        let link = try dir.symlink("jcfed.conf", to: target)
        #expect(SafeFile.read(link, rules: mine) == .failure(.symlink))
        // The target itself is fine: it is the link that is refused.
        #expect(SafeFile.read(target, rules: mine) == .success([UInt8(ascii: "x")]))
    }

    @Test func danglingSymlinkIsRefusedAsSymlink() throws {
        let link = try dir.symlink("jcfed.conf", to: dir.path("nowhere"))
        #expect(SafeFile.read(link, rules: mine) == .failure(.symlink))
    }

    @Test func directoryIsNotARegularFile() throws {
        let d = try dir.directory("jcfed.conf", mode: 0o755)
        #expect(SafeFile.read(d, rules: mine) == .failure(.notRegular))
    }

    @Test func fifoIsNotARegularFileAndDoesNotBlock() throws {
        // No writer ever opens it: a blocking open would hang the login here.
        let f = try dir.fifo("jcfed.conf")
        #expect(SafeFile.read(f, rules: mine) == .failure(.notRegular))
    }

    @Test func deviceIsNotARegularFile() {
        #expect(SafeFile.read("/dev/null", rules: .init(owner: 0)) == .failure(.notRegular))
    }

    @Test func sizeCapIsEnforced() throws {
        let p = try dir.file("big.conf", bytes: [UInt8](repeating: UInt8(ascii: "#"), count: 100), mode: 0o644)
        #expect(SafeFile.read(p, rules: .init(owner: me, maxBytes: 99)) == .failure(.tooLarge(99)))
        #expect((try? SafeFile.read(p, rules: .init(owner: me, maxBytes: 100)).get())?.count == 100)
    }

    @Test func defaultCapIs64KiB() throws {
        let p = try dir.file("big.conf", bytes: [UInt8](repeating: 0x23, count: 64 * 1024 + 1), mode: 0o644)
        #expect(SafeFile.read(p, rules: mine) == .failure(.tooLarge(64 * 1024)))
    }

    @Test(arguments: [0o644, 0o604, 0o444] as [mode_t])
    func secretReadableByOthersIsRefused(_ mode: mode_t) throws {
        let p = try dir.file("client_secret", "s3cret\n", mode: mode)
        let rules = SafeFile.Rules(owner: me, holdsSecret: true)
        guard case .failure(.readableByOthers(let m)) = SafeFile.read(p, rules: rules) else {
            Issue.record("secret with mode \(String(mode, radix: 8)) accepted"); return
        }
        #expect(SafeFile.Failure.readableByOthers(m).description.contains("chmod 600"))
        // The same file is fine when it holds no secret.
        #expect(SafeFile.read(p, rules: mine) == .success(Array("s3cret\n".utf8)))
    }

    @Test(arguments: [0o600, 0o400, 0o640] as [mode_t])
    func secretNotReadableByOthersIsFine(_ mode: mode_t) throws {
        let p = try dir.file("client_secret", "s3cret\n", mode: mode)
        #expect(SafeFile.readText(p, rules: .init(owner: me, holdsSecret: true)) == .success("s3cret\n"))
    }

    @Test func missingFile() {
        #expect(SafeFile.read(dir.path("absent.conf"), rules: mine) == .failure(.missing))
        #expect(SafeFile.Failure.missing.description == "does not exist")
    }

    @Test func pathThroughAFileIsUnreadable() throws {
        let p = try dir.file("plain", "x")
        #expect(SafeFile.read(p + "/jcfed.conf", rules: mine) == .failure(.unreadable(ENOTDIR)))
    }

    @Test func invalidUTF8IsRefusedAsText() throws {
        let p = try dir.file("jcfed.conf", bytes: [0x5b, 0xff, 0xfe, 0x5d], mode: 0o644)
        #expect(SafeFile.readText(p, rules: mine) == .failure(.notUTF8))
        #expect((try? SafeFile.read(p, rules: mine).get()) == [0x5b, 0xff, 0xfe, 0x5d])
    }

    @Test func ownerIsCheckedBeforeMode() throws {
        // The admin sees the first problem that matters: someone else owns the file.
        let p = try dir.file("jcfed.conf", "x", mode: 0o666)
        let other: UInt32 = me == 4242 ? 4243 : 4242
        #expect(SafeFile.read(p, rules: .init(owner: other)) == .failure(.wrongOwner(me)))
    }
}
