#if canImport(Glibc)
import Glibc
#endif

/// Replaces a file so that a reader sees the old content or the new, never a mix, and a crash
/// or full disk never leaves a truncated file: write a temporary file in the same directory,
/// fsync it, rename it over the target, fsync the directory. On any failure the temporary file
/// is removed and the old file is untouched.
public enum AtomicReplace {
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public var step: String
        public var errno: Int32
        public var description: String { "\(step) failed (\(String(cString: strerror(errno))))" }
    }

    /// Writes `bytes` to `path` with `mode` (umask does not apply), creating missing parent
    /// directories with mode 0755.
    public static func write(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600) -> Result<Void, Failure> {
        let (dir, name) = split(path)
        if case .failure(let f) = makeDirectories(dir) { return .failure(f) }
        let tmp = dir + "/." + name + ".tmp." + String(getpid()) + "." + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { return .failure(Failure(step: "creating \(tmp)", errno: errno)) }
        var ok = false
        defer {
            if !ok { unlink(tmp) }
        }
        let written = writeAll(fd, bytes)
        if let e = written {
            close(fd)
            return .failure(Failure(step: "writing \(tmp)", errno: e))
        }
        if fchmod(fd, mode) != 0 || fsync(fd) != 0 {
            let e = errno
            close(fd)
            return .failure(Failure(step: "syncing \(tmp)", errno: e))
        }
        guard close(fd) == 0 else { return .failure(Failure(step: "closing \(tmp)", errno: errno)) }
        guard rename(tmp, path) == 0 else { return .failure(Failure(step: "renaming into \(path)", errno: errno)) }
        ok = true
        syncDirectory(dir)
        return .success(())
    }

    /// nil on success, else errno.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buf -> Int in
                guard let base = buf.baseAddress else { return 0 }
                return Glibc.write(fd, base + offset, buf.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if n == 0 { return EIO }
            offset += n
        }
        return nil
    }

    public static func syncDirectory(_ dir: String) {
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    static func split(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let dir = String(path[..<slash])
        return (dir.isEmpty ? "/" : dir, String(path[path.index(after: slash)...]))
    }

    static func makeDirectories(_ dir: String) -> Result<Void, Failure> {
        var st = stat()
        if stat(dir, &st) == 0 { return .success(()) }
        let (parent, _) = split(dir)
        if parent != dir, case .failure(let f) = makeDirectories(parent) { return .failure(f) }
        if mkdir(dir, 0o755) != 0 && errno != EEXIST {
            return .failure(Failure(step: "creating directory \(dir)", errno: errno))
        }
        return .success(())
    }
}
