#if canImport(Glibc)
import Glibc
#endif
import JCFedAdmin
import JCFedCore

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

    /// Reads a small text file (PAM files, logs) without the ownership rules of SafeFile.
    static func readText(_ path: String, maxBytes: Int = 4 << 20) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            out.append(contentsOf: buffer.prefix(n))
            if out.count > maxBytes { return nil }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Creates a directory with `mode` and its missing parents with 0755 (existing ones are
    /// kept as they are).
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        var current = path.hasPrefix("/") ? "" : "."
        let components = path.split(separator: "/")
        for (i, component) in components.enumerated() {
            current += "/" + component
            if mkdir(current, i == components.count - 1 ? mode : 0o755) != 0 && errno != EEXIST {
                throw ToolFailure("cannot create directory \(current): \(errorText())")
            }
        }
    }

    /// Writes a file atomically: a new temporary file in the same directory (O_EXCL, no symlink
    /// followed), owner and mode set on the descriptor, data written and fsync'ed, renamed over
    /// the target, then the directory fsync'ed. Readers see the old file or the new one, never a
    /// half-written one; a crash never leaves a secret with the wrong mode.
    ///
    /// The group is `group` when given, else `owner`'s id. When the group cannot be set (not
    /// root, not a member), the file gets no group permissions rather than the caller's group.
    static func writeAtomically(_ path: String, contents: [UInt8], mode: mode_t, owner: UInt32?, group: UInt32? = nil) throws {
        let dir = directoryName(path)
        try makeDirectories(dir)
        var tmp = ""
        var fd: Int32 = -1
        for attempt in 0..<100 {
            tmp = "\(dir)/.\(baseName(path)).jcfed-tmp.\(getpid()).\(attempt)"
            fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600))
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw ToolFailure("cannot create a temporary file in \(dir): \(errorText())") }
        var ok = true
        var problem = ""
        var mode = mode
        if let owner = owner, fchown(fd, owner, group ?? owner) != 0 { ok = false; problem = "chown: \(errorText())" }
        if ok && owner == nil, let group = group, fchown(fd, UInt32.max, group) != 0 { mode &= ~mode_t(0o070) }
        if ok && fchmod(fd, mode) != 0 { ok = false; problem = "chmod: \(errorText())" }
        if ok {
            var written = 0
            while written < contents.count {
                let n = contents.withUnsafeBytes { buf -> Int in
                    guard let base = buf.baseAddress else { return 0 }
                    return Glibc.write(fd, base + written, buf.count - written)
                }
                if n < 0 { if errno == EINTR { continue }; ok = false; problem = "write: \(errorText())"; break }
                written += n
            }
        }
        if ok && fsync(fd) != 0 { ok = false; problem = "fsync: \(errorText())" }
        if close(fd) != 0 && ok { ok = false; problem = "close: \(errorText())" }
        if ok && rename(tmp, path) != 0 { ok = false; problem = "rename: \(errorText())" }
        guard ok else {
            unlink(tmp)
            throw ToolFailure("cannot write \(path): \(problem)")
        }
        syncDirectory(dir)
    }

    static func writeAtomically(_ path: String, text: String, mode: mode_t, owner: UInt32?, group: UInt32? = nil) throws {
        try writeAtomically(path, contents: Array(text.utf8), mode: mode, owner: owner, group: group)
    }

    static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }

    /// Removes a file or symbolic link; a missing file is fine.
    static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT {
            throw ToolFailure("cannot remove \(path): \(errorText())")
        }
    }

    /// Removes a directory tree without following symbolic links; a missing one is fine.
    static func removeTree(_ path: String) throws {
        guard let i = info(path) else { return }
        if !i.isDirectory { try remove(path); return }
        for name in list(path) { try removeTree(path + "/" + name) }
        if rmdir(path) != 0 && errno != ENOENT {
            throw ToolFailure("cannot remove \(path): \(errorText())")
        }
    }

    /// Entry names of a directory (without . and ..), sorted; empty when unreadable.
    static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        return DirectoryEntries.names(dir).sorted()
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
