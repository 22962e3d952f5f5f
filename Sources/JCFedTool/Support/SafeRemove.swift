#if canImport(Glibc)
import JCFedAdmin
import Glibc
#endif

/// Deleting jcfed's cache and state as root without following anything another user could
/// plant: the folder is opened once (O_NOFOLLOW) and checked on its descriptor, then walked by
/// descriptor (openat with O_NOFOLLOW | O_DIRECTORY, unlinkat), never by path again. A folder
/// swapped for a symbolic link during the walk fails to open as a directory and is unlinked as
/// the link it now is, so nothing outside is reached.
enum SafeRemove {
    static let maxDepth = 32

    /// Why the open directory `fd` must not be walked as root, or nil: it must be a directory
    /// owned by `owner` and not writable by group or others, as the module requires of
    /// cache_dir and state_dir.
    static func unsafe(_ fd: Int32, path: String, owner: UInt32) -> String? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return "\(path) cannot be examined: \(FileSystem.errorText())" }
        guard UInt32(st.st_mode) & UInt32(S_IFMT) == UInt32(S_IFDIR) else { return "\(path) is not a directory" }
        if UInt32(st.st_uid) != owner { return "\(path) is owned by uid \(st.st_uid), not root" }
        let mode = UInt32(st.st_mode) & 0o7777
        if mode & 0o022 != 0 { return "\(path) is writable by group or others (mode 0\(String(mode, radix: 8)))" }
        return nil
    }

    /// Opens a directory for the walk, following no symbolic link; nil (errno set) otherwise.
    static func openDirectory(_ path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        return fd >= 0 ? fd : nil
    }

    /// Removes everything inside `path` (kept itself); false when it does not exist. Refused
    /// (exit 2) when the folder could be changed by someone other than `owner`.
    @discardableResult
    static func clearContents(of path: String, owner: UInt32) throws -> Bool {
        guard let fd = openDirectory(path) else {
            let e = errno
            if e == ENOENT { return false }
            if e == ELOOP || e == ENOTDIR {
                throw ToolFailure.refused("not removing anything in \(path): it is a symbolic link or not a directory")
            }
            throw ToolFailure("cannot open \(path): \(FileSystem.errorText(e))")
        }
        defer { close(fd) }
        if let problem = unsafe(fd, path: path, owner: owner) {
            throw ToolFailure.refused("not removing anything in \(path): \(problem); the module refuses such a folder too")
        }
        try clear(fd, path: path, depth: 0)
        return true
    }

    /// Removes `name` (a file, link or whole folder) of the open directory `parent`.
    static func removeEntry(_ parent: Int32, _ name: String, path: String, depth: Int) throws {
        var st = stat()
        guard fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return }
            throw ToolFailure("cannot examine \(path): \(FileSystem.errorText())")
        }
        if UInt32(st.st_mode) & UInt32(S_IFMT) == UInt32(S_IFDIR) {
            guard depth < maxDepth else { throw ToolFailure("not removing \(path): nested too deeply") }
            let child = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if child < 0 {
                let e = errno
                if e == ENOENT { return }
                // Swapped for a link or a file since fstatat: remove that, never follow it.
                if e == ELOOP || e == ENOTDIR {
                    if unlinkat(parent, name, 0) != 0 && errno != ENOENT {
                        throw ToolFailure("cannot remove \(path): \(FileSystem.errorText())")
                    }
                    return
                }
                throw ToolFailure("cannot open \(path): \(FileSystem.errorText(e))")
            }
            defer { close(child) }
            try clear(child, path: path, depth: depth + 1)
            if unlinkat(parent, name, AT_REMOVEDIR) != 0 && errno != ENOENT {
                throw ToolFailure("cannot remove \(path): \(FileSystem.errorText())")
            }
        } else if unlinkat(parent, name, 0) != 0 && errno != ENOENT {
            throw ToolFailure("cannot remove \(path): \(FileSystem.errorText())")
        }
    }

    static func clear(_ fd: Int32, path: String, depth: Int) throws {
        for name in entries(fd) { try removeEntry(fd, name, path: path + "/" + name, depth: depth) }
    }

    /// Entry names of an open directory, read through a duplicate descriptor (closedir closes it).
    static func entries(_ fd: Int32) -> [String] {
        let dup = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard dup >= 0 else { return [] }
        guard let dir = fdopendir(dup) else { close(dup); return [] }
        defer { closedir(dir) }
        rewinddir(dir)
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

extension SafeRemove {
    /// Why `path` could not be cleared safely, or nil (also nil when it does not exist): checked
    /// before a command changes anything, so a refusal leaves everything as it was.
    static func problem(_ path: String, owner: UInt32) -> String? {
        guard let fd = openDirectory(path) else {
            if errno == ENOENT { return nil }
            if errno == ELOOP || errno == ENOTDIR { return "\(path) is a symbolic link or not a directory" }
            return "\(path) cannot be opened: \(FileSystem.errorText())"
        }
        defer { close(fd) }
        return unsafe(fd, path: path, owner: owner)
    }

    /// Removes the entry `name` (a whole folder) of the directory `parent`, opened and checked
    /// like `clearContents`; false when either does not exist.
    @discardableResult
    static func removeChild(_ name: String, of parent: String, owner: UInt32) throws -> Bool {
        guard let fd = openDirectory(parent) else {
            if errno == ENOENT { return false }
            throw ToolFailure.refused("not removing \(parent)/\(name): \(parent) is a symbolic link or cannot be opened")
        }
        defer { close(fd) }
        if let problem = unsafe(fd, path: parent, owner: owner) {
            throw ToolFailure.refused("not removing \(parent)/\(name): \(problem)")
        }
        var st = stat()
        guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return false }
        try removeEntry(fd, name, path: parent + "/" + name, depth: 0)
        return true
    }
}
