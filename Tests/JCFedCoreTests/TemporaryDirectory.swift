import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private directory for tests that need real files (safe-open rules, config loading).
/// Files are made with open/fchmod/symlink/mkfifo so their mode is exact (no umask) and the
/// test controls every property SecureFolder checks. Removed when the owner is released, so keep
/// it in a stored property of the suite (a class), not in a local that ARC may end early.
final class TemporaryDirectory {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/jcfed-test-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf -> String? in
            guard let base = buf.baseAddress, let p = mkdtemp(base) else { return nil }
            return String(cString: p)
        }
        guard let made = made else { throw Failure(description: "mkdtemp failed: errno \(errno)") }
        path = made
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func path(_ name: String) -> String { path + "/" + name }

    /// Writes `bytes` to a new file with exactly `mode`.
    @discardableResult
    func file(_ name: String, bytes: [UInt8], mode: mode_t = 0o644) throws -> String {
        let p = path(name)
        let fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "open \(p): errno \(errno)") }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "write \(p): errno \(errno)") }
            written += n
        }
        guard fchmod(fd, mode) == 0 else { throw Failure(description: "fchmod \(p): errno \(errno)") }
        return p
    }

    @discardableResult
    func file(_ name: String, _ text: String, mode: mode_t = 0o644) throws -> String {
        try file(name, bytes: Array(text.utf8), mode: mode)
    }

    @discardableResult
    func symlink(_ name: String, to target: String) throws -> String {
        let p = path(name)
        guard Glibc.symlink(target, p) == 0 else { throw Failure(description: "symlink \(p): errno \(errno)") }
        return p
    }

    @discardableResult
    func fifo(_ name: String) throws -> String {
        let p = path(name)
        guard mkfifo(p, 0o600) == 0 else { throw Failure(description: "mkfifo \(p): errno \(errno)") }
        return p
    }

    @discardableResult
    func directory(_ name: String, mode: mode_t = 0o755) throws -> String {
        let p = path(name)
        guard mkdir(p, mode) == 0, chmod(p, mode) == 0 else { throw Failure(description: "mkdir \(p): errno \(errno)") }
        return p
    }

    /// Changes the owner (needs root; callers guard with `isRoot`).
    func chown(_ p: String, uid: uid_t) throws {
        guard lchown(p, uid, gid_t(getgid())) == 0 else { throw Failure(description: "chown \(p): errno \(errno)") }
    }

    static var isRoot: Bool { getuid() == 0 }
    static var currentUID: UInt32 { UInt32(getuid()) }
}
