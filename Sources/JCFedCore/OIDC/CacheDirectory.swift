#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The cache's root-only directory. Files in it are written with AtomicReplace, so a reader sees
/// the old content or the new, never a torn mix, however many logins run at once.
enum CacheDirectory {
    /// Why a directory or write was refused; for the debug log, never fatal to a login.
    struct Problem: Error, Equatable, CustomStringConvertible {
        var description: String
        /// The directory exists but others could change it (owner, mode, a symlink, not a
        /// directory): a login refuses it rather than going on without a cache.
        var isUnsafe = false
        init(_ d: String, unsafe: Bool = false) { description = d; isUnsafe = unsafe }
    }

    /// Creates `path` (mode 0700) when it is missing, then checks that it is a real directory
    /// (not a symlink) owned by `owner` and not writable by group or others.
    static func prepare(_ path: String, owner: UInt32) -> Result<Void, Problem> {
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
            return .failure(Problem("\(path) is not a directory (symlinks are not followed)", unsafe: true))
        }
        guard UInt32(st.st_uid) == owner else { return .failure(Problem("\(path) is owned by uid \(st.st_uid), not root", unsafe: true)) }
        guard mode & 0o022 == 0 else {
            return .failure(Problem("\(path) has mode \(SafeFile.octal(mode)), must not be writable by group or others", unsafe: true))
        }
        return .success(())
    }
}
