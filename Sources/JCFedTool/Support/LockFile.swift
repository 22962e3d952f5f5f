#if canImport(Glibc)
import Glibc
#endif

/// An exclusive flock on a lock file, the one way the tool serialises its commands (PAM edits,
/// directory sync and import): opened without following a link, checked to be a regular file of
/// the expected owner on the descriptor, and waited for in 100 ms steps up to a limit. The lock is
/// held until the descriptor is closed.
enum LockFile {
    enum Problem: Error {
        /// The file could not be opened (strerror text).
        case cannotOpen(String)
        /// Not a regular file, or another owner: someone else made it.
        case notOurs
        /// Still held by another process after the wait.
        case busy
    }

    /// `makeParent` is tried once when the file's folder does not exist yet.
    static func acquire(_ path: String, owner: UInt32, waitSeconds: Int,
                        makeParent: (() -> Bool)? = nil) -> Result<Int32, Problem> {
        var fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600))
        if fd < 0, errno == ENOENT, let make = makeParent, make() {
            fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600))
        }
        guard fd >= 0 else { return .failure(.cannotOpen(FileSystem.errorText())) }
        var st = stat()
        guard fstat(fd, &st) == 0, UInt32(st.st_mode) & UInt32(S_IFMT) == UInt32(S_IFREG), st.st_uid == owner else {
            close(fd)
            return .failure(.notOurs)
        }
        var waited = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, waited < waitSeconds * 10 else {
                close(fd)
                return .failure(.busy)
            }
            usleep(100_000)
            waited += 1
        }
        return .success(fd)
    }
}
