#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file the way pam-u2f does: no symlink is followed, it must be a regular file owned by
/// the expected owner (root), not writable by group or others, and no larger than a cap. Files
/// that hold a secret must not be readable by others either. The checks are made on the opened
/// descriptor (fstat), so a file swapped after the check is never read.
public enum SafeFile {
    public struct Rules: Sendable {
        public var owner: UInt32
        public var maxBytes: Int
        public var holdsSecret: Bool
        public init(owner: UInt32 = 0, maxBytes: Int = 64 * 1024, holdsSecret: Bool = false) {
            self.owner = owner
            self.maxBytes = maxBytes
            self.holdsSecret = holdsSecret
        }
    }

    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case missing
        case unreadable(Int32)
        case symlink
        case notRegular
        case wrongOwner(UInt32)
        case groupOrOtherWritable(UInt32)
        case readableByOthers(UInt32)
        case tooLarge(Int)
        case notUTF8

        public var description: String {
            switch self {
            case .missing: return "does not exist"
            case .unreadable(let e): return "cannot be read (errno \(e))"
            case .symlink: return "is a symbolic link (not followed)"
            case .notRegular: return "is not a regular file"
            case .wrongOwner(let uid): return "is owned by uid \(uid), must be owned by root"
            case .groupOrOtherWritable(let m): return "has mode \(octal(m)), must not be writable by group or others"
            case .readableByOthers(let m): return "holds a secret and has mode \(octal(m)), must not be readable by others (chmod 600)"
            case .tooLarge(let n): return "is larger than \(n) bytes"
            case .notUTF8: return "is not valid UTF-8 text"
            }
        }
    }

    static func octal(_ m: UInt32) -> String {
        "0" + String(m & 0o7777, radix: 8)
    }

    /// Reads the whole file as bytes after the checks.
    public static func read(_ path: String, rules: Rules = Rules()) -> Result<[UInt8], Failure> {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        if fd < 0 {
            let e = errno
            switch e {
            case ENOENT: return .failure(.missing)
            case ELOOP: return .failure(.symlink)
            default: return .failure(.unreadable(e))
            }
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(.unreadable(errno)) }
        let mode = UInt32(st.st_mode)
        guard mode & UInt32(S_IFMT) == UInt32(S_IFREG) else { return .failure(.notRegular) }
        guard UInt32(st.st_uid) == rules.owner else { return .failure(.wrongOwner(UInt32(st.st_uid))) }
        guard mode & 0o022 == 0 else { return .failure(.groupOrOtherWritable(mode)) }
        if rules.holdsSecret && mode & 0o004 != 0 { return .failure(.readableByOthers(mode)) }
        guard Int(st.st_size) <= rules.maxBytes else { return .failure(.tooLarge(rules.maxBytes)) }

        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable(errno))
            }
            if n == 0 { break }
            out.append(contentsOf: buffer.prefix(n))
            // The file may have grown since fstat.
            if out.count > rules.maxBytes { return .failure(.tooLarge(rules.maxBytes)) }
        }
        return .success(out)
    }

    /// Reads a UTF-8 text file after the checks.
    public static func readText(_ path: String, rules: Rules = Rules()) -> Result<String, Failure> {
        switch read(path, rules: rules) {
        case .failure(let f): return .failure(f)
        case .success(let bytes):
            guard let s = String(validating: bytes, as: UTF8.self) else { return .failure(.notUTF8) }
            return .success(s)
        }
    }
}
