#if canImport(Glibc)
import Glibc
#endif
import JCFedAdmin
import JCFedCore
import JCFedSystem

/// The few file operations the tool needs, over Glibc (the tool, like the module, uses no
/// Foundation). Paths given here are host paths, already under --root.
enum FileSystem {
    struct Info {
        var mode: UInt32
        var uid: UInt32
        var gid: UInt32 = 0
        var size: Int
        var mtime: Int64
        var isRegular: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFREG) }
        var isDirectory: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFDIR) }
        var isSymlink: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFLNK) }
        var permissions: String { "0" + String(mode & 0o7777, radix: 8) }
    }

    /// lstat: a symbolic link is reported as a link, never followed.
    static func info(_ path: String) -> Info? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return Info(mode: UInt32(st.st_mode), uid: UInt32(st.st_uid), gid: UInt32(st.st_gid), size: Int(st.st_size),
                    mtime: Int64(st.st_mtim.tv_sec))
    }

    static func exists(_ path: String) -> Bool { info(path) != nil }

    static func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }

    /// Reads a small text file (PAM files, logs) without the ownership rules of SecureFolder.
    static func readText(_ path: String, maxBytes: Int = 4 << 20) -> String? {
        readBytes(path, maxBytes: maxBytes).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The bytes of a file (PAM and sshd files, logs: read, never trusted, so no ownership rules);
    /// nil with errno set when it cannot be opened or read, or is larger than `maxBytes`.
    /// `followLinks: false` refuses a symbolic link (ELOOP).
    static func readBytes(_ path: String, followLinks: Bool = true, maxBytes: Int = 4 << 20) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (followLinks ? 0 : O_NOFOLLOW))
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            out.append(contentsOf: buffer.prefix(n))
            if out.count > maxBytes { errno = EFBIG; return nil }
        }
        return out
    }

    /// Creates a directory with `mode` and its missing parents with 0755 (existing ones are
    /// kept as they are).
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        if case .failure(let f) = SecureFolder.makeFolders(path, mode: mode) { throw ToolFailure("\(path) \(f)") }
    }

    /// Writes a file atomically, creating missing parent directories (SecureFolder.replace: a
    /// temporary file in the same directory, owner and mode set on the descriptor, fsync'ed and
    /// renamed over the target). Readers see the old file or the new one, never a half-written
    /// one; a crash never leaves a secret with the wrong mode.
    ///
    /// The group is `group` when given, else `owner`'s id. When the group cannot be set (not
    /// root, not a member), the file gets no group permissions rather than the caller's group.
    static func writeAtomically(_ path: String, contents: [UInt8], mode: mode_t, owner: UInt32?, group: UInt32? = nil) throws {
        if case .failure(let f) = SecureFolder.replace(atPath: path, contents, mode: mode, fileOwner: owner, group: group) {
            throw ToolFailure("cannot write \(path): \(f)")
        }
    }

    static func writeAtomically(_ path: String, text: String, mode: mode_t, owner: UInt32?, group: UInt32? = nil) throws {
        try writeAtomically(path, contents: Array(text.utf8), mode: mode, owner: owner, group: group)
    }

    /// Removes a file or symbolic link; a missing file is fine.
    static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT {
            throw ToolFailure("cannot remove \(path): \(errorText())")
        }
    }

    /// Removes a directory tree without following symbolic links (SecureFolder.removeTree); a
    /// missing one is fine.
    static func removeTree(_ path: String) throws {
        let (dir, name) = SecureFolder.split(path)
        if case .failure(let f) = SecureFolder.open(dir, owner: nil, checks: .none).flatMap({ $0.removeTree(name) }), f != .missing {
            throw ToolFailure("cannot remove \(path): \(f)")
        }
    }

    /// Entry names of a directory (without . and ..), sorted; empty when unreadable.
    static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        return FolderEntries.names(dir).sorted()
    }

    /// A path made absolute against the working directory (the module refuses relative ones).
    static func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (cwd == "/" ? "" : cwd) + "/" + path
    }

    static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let d = String(path[..<slash])
        return d.isEmpty ? "/" : d
    }

    static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    static func errorText(_ code: Int32 = errno) -> String {
        guard let s = strerror(code) else { return "errno \(code)" }
        return String(cString: s)
    }
}
