#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files in a root-only directory written so that a reader sees the old content or the new,
/// never a torn mix, however many logins run at once: the bytes go to a fresh temporary file in
/// the same directory (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600), are fsync'ed, and the file is
/// renamed over the target (rename(2) is atomic within one file system).
enum AtomicFile {
    /// Why a directory or write was refused; for the debug log, never fatal to a login.
    struct Problem: Error, Equatable, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// Creates `path` (mode 0700) when it is missing, then checks that it is a real directory
    /// (not a symlink) owned by `owner` and not writable by group or others.
    static func prepareDirectory(_ path: String, owner: UInt32) -> Result<Void, Problem> {
        guard path.hasPrefix("/") else { return .failure(Problem("\(path) is not absolute")) }
        var st = stat()
        if lstat(path, &st) != 0 {
            guard errno == ENOENT else { return .failure(Problem("\(path): errno \(errno)")) }
            if mkdir(path, 0o700) != 0 && errno != EEXIST {
                return .failure(Problem("\(path) cannot be created (errno \(errno))"))
            }
            guard lstat(path, &st) == 0 else { return .failure(Problem("\(path): errno \(errno)")) }
        }
        let mode = UInt32(st.st_mode)
        guard mode & UInt32(S_IFMT) == UInt32(S_IFDIR) else {
            return .failure(Problem("\(path) is not a directory (symlinks are not followed)"))
        }
        guard UInt32(st.st_uid) == owner else { return .failure(Problem("\(path) is owned by uid \(st.st_uid)")) }
        guard mode & 0o022 == 0 else {
            return .failure(Problem("\(path) has mode \(SafeFile.octal(mode)), must not be writable by group or others"))
        }
        return .success(())
    }

    /// Replaces `directory/name` with `bytes`, atomically.
    static func write(_ bytes: [UInt8], directory: String, name: String) -> Result<Void, Problem> {
        let target = directory + "/" + name
        // One temporary name per process: no other live process can hold it, so a leftover of a
        // dead process with the same pid may be removed.
        let temp = directory + "/." + name + ".tmp." + String(getpid())
        var fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 && errno == EEXIST {
            unlink(temp)
            fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }
        guard fd >= 0 else { return .failure(Problem("cannot create \(temp) (errno \(errno))")) }
        var ok = writeAll(fd, bytes) && fsync(fd) == 0
        if close(fd) != 0 { ok = false }
        guard ok, rename(temp, target) == 0 else {
            unlink(temp)
            return .failure(Problem("cannot write \(target) (errno \(errno))"))
        }
        syncDirectory(directory)
        return .success(())
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buf -> Int in
                guard let base = buf.baseAddress else { return -1 }
                return Glibc.write(fd, base + offset, buf.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            if n == 0 { return false }
            offset += n
        }
        return true
    }

    /// So the rename itself survives a crash; best effort.
    static func syncDirectory(_ directory: String) {
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { return }
        _ = fsync(dfd)
        close(dfd)
    }
}
