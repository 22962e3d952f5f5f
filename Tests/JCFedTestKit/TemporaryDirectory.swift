#if canImport(Glibc)
import Glibc
#endif

/// The one temporary folder of the unit tests, for tests that need real files (safe-open rules,
/// config loading, pins, caches). A fresh /tmp/jcfed-test-XXXXXX, mode 0755 (readable, writable
/// only by its owner, as the module wants its folders). Files are made with open/fchmod/symlink/
/// mkfifo so their mode is exact (no umask) and the test controls every property the safe-open
/// rules check. Removed when the owner is released, so keep it in a stored property of the suite
/// (a class) or a local that lives as long as the test needs it.
public final class TemporaryDirectory {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let path: String

    public init() {
        path = TemporaryDirectory.makePath()
    }

    deinit {
        TemporaryDirectory.removeTree(path)
    }

    /// A new folder that the caller removes with `removeTree` (for tests that keep a path, not an owner).
    public static func makePath() -> String {
        var template = Array("/tmp/jcfed-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf -> String? in
            guard let base = buf.baseAddress, let p = mkdtemp(base) else { return nil }
            return String(cString: p)
        }
        guard let made else { fatalError("mkdtemp failed: errno \(errno)") }
        chmod(made, 0o755)
        return made
    }

    /// Removes a folder made by `makePath` and all it holds (never follows links; only /tmp/jcfed-test-*).
    public static func removeTree(_ path: String) {
        guard path.hasPrefix("/tmp/jcfed-test-") else { return }
        removeRecursively(path)
    }

    private static func removeRecursively(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if UInt32(st.st_mode) & UInt32(S_IFMT) == UInt32(S_IFDIR) {
            chmod(path, 0o700)
            if let dir = opendir(path) {
                var names: [String] = []
                while let entry = readdir(dir) {
                    let name = withUnsafePointer(to: entry.pointee.d_name) {
                        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                    }
                    if name != "." && name != ".." { names.append(name) }
                }
                closedir(dir)
                for n in names { removeRecursively(path + "/" + n) }
            }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    public func path(_ name: String) -> String { path + "/" + name }

    /// Writes `text` to a new file with exactly `mode`, without throwing (a failure shows in the test).
    @discardableResult
    public func write(_ name: String, _ text: String, mode: mode_t = 0o600) -> String {
        (try? file(name, text, mode: mode)) ?? path(name)
    }

    /// Writes `bytes` to a new file with exactly `mode`.
    @discardableResult
    public func file(_ name: String, bytes: [UInt8], mode: mode_t = 0o644) throws -> String {
        let p = path(name)
        let fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "open \(p): errno \(errno)") }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "write \(p): errno \(errno)") }
            written += n
        }
        guard fchmod(fd, mode) == 0 else { throw Failure(description: "fchmod \(p): errno \(errno)") }
        return p
    }

    @discardableResult
    public func file(_ name: String, _ text: String, mode: mode_t = 0o644) throws -> String {
        try file(name, bytes: Array(text.utf8), mode: mode)
    }

    @discardableResult
    public func symlink(_ name: String, to target: String) throws -> String {
        let p = path(name)
        guard Glibc.symlink(target, p) == 0 else { throw Failure(description: "symlink \(p): errno \(errno)") }
        return p
    }

    @discardableResult
    public func fifo(_ name: String) throws -> String {
        let p = path(name)
        guard mkfifo(p, 0o600) == 0 else { throw Failure(description: "mkfifo \(p): errno \(errno)") }
        return p
    }

    @discardableResult
    public func directory(_ name: String, mode: mode_t = 0o755) throws -> String {
        let p = path(name)
        guard mkdir(p, mode) == 0, chmod(p, mode) == 0 else { throw Failure(description: "mkdir \(p): errno \(errno)") }
        return p
    }

    /// Changes the owner (needs root; callers guard with `isRoot`).
    public func chown(_ p: String, uid: uid_t) throws {
        guard lchown(p, uid, gid_t(getgid())) == 0 else { throw Failure(description: "chown \(p): errno \(errno)") }
    }

    public static var isRoot: Bool { getuid() == 0 }
    public static var currentUID: UInt32 { UInt32(getuid()) }
}
