import Glibc
import JCFedCore

/// The one place where jcfed opens, checks, replaces and creates the files root relies on (the
/// configuration, the client secret, the directory file, the identity pins, the discovery cache,
/// and the files the admin tool writes), the way pam-u2f opens its files:
///
/// - a folder is opened once, and every file in it is reached relative to that descriptor
///   (openat with O_NOFOLLOW), so a folder or file swapped for a symbolic link after the check
///   is never followed;
/// - owner and mode are checked on the opened descriptor (fstat), never on a path looked up
///   again: owned by the expected owner (root), not writable by group or others, not readable by
///   others for a secret, a regular file, at most a size cap;
/// - a file is replaced atomically: a temporary file in the same folder, fsync, renameat over
///   the name, fsync of the folder; a reader sees the old content or the new, and a crash or a
///   full disk never leaves a truncated file;
/// - a file is created exclusively with linkat of a complete temporary file, which fails when
///   the name exists: of two concurrent creators exactly one wins, and nobody sees it half
///   written.
///
/// Linux only (Glibc); the core reaches it through `ModuleStorage`.
public final class SecureFolder: StorageFolder {
    /// What the folder itself must be.
    public enum Checks: Sendable {
        /// Nothing: the folder a file is read from by path (its owner and mode are not jcfed's
        /// to require, e.g. /tmp for a test or a staged root); symbolic links on the way are
        /// followed as the system resolves them. Only the file is checked.
        case none
        /// Owned by the owner, not writable by group or others, not a symbolic link.
        case owned
        /// As `owned`, and closed to group and others (mode 0700 or stricter).
        case privateToOwner
        /// Not a symbolic link; owner and mode not checked (a folder inside a checked one,
        /// walked to be removed).
        case notFollowed
    }

    public let path: String
    /// Who must own the folder and its files; nil for an admin's own input file (`jcfed idp add
    /// --client-secret-file`): any owner, and only the type, size and secret rules apply.
    public let owner: UInt32?
    let fd: Int32

    private init(path: String, owner: UInt32?, fd: Int32) {
        self.path = path
        self.owner = owner
        self.fd = fd
    }

    deinit { close(fd) }

    // MARK: opening folders

    /// Opens the folder `path` with `checks`, creating it with `createMode` first when it is
    /// missing and a mode is given (the parent must exist).
    public static func open(_ path: String, owner: UInt32?, checks: Checks = .owned,
                            createMode: mode_t? = nil) -> Result<SecureFolder, FileRefusal> {
        if (checks == .owned || checks == .privateToOwner) && !path.startsWithASCII("/") { return .failure(.notAbsolute) }
        return opened(path: path, owner: owner, checks: checks, createMode: createMode) { flags in
            path.withCString { Glibc.open($0, flags) }
        } make: { mode in
            path.withCString { mkdir($0, mode) }
        }
    }

    /// A sub-folder `name` of this one, with `checks`.
    public func folder(_ name: String, checks: Checks, createMode: mode_t? = nil) -> Result<SecureFolder, FileRefusal> {
        guard SecureFolder.isEntryName(name) else { return .failure(.notDirectory) }
        let parent = fd
        return SecureFolder.opened(path: child(name), owner: owner, checks: checks, createMode: createMode) { flags in
            name.withCString { openat(parent, $0, flags) }
        } make: { mode in
            name.withCString { mkdirat(parent, $0, mode) }
        }
    }

    private static func opened(path: String, owner: UInt32?, checks: Checks, createMode: mode_t?,
                               open: (Int32) -> Int32, make: (mode_t) -> Int32) -> Result<SecureFolder, FileRefusal> {
        let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (checks == .none ? 0 : O_NOFOLLOW)
        var fd = open(flags)
        if fd < 0 && errno == ENOENT, let mode = createMode {
            if make(mode) != 0 && errno != EEXIST {
                return .failure(.failed("cannot be created (\(errnoText()))"))
            }
            fd = open(flags)
        }
        guard fd >= 0 else {
            let e = errno
            switch e {
            case ENOENT: return .failure(.missing)
            case ELOOP: return .failure(.symlink)
            case ENOTDIR: return .failure(checks == .none ? .unreadable(e) : .notDirectory)
            default: return .failure(.unreadable(e))
            }
        }
        let folder = SecureFolder(path: path, owner: owner, fd: fd)
        if checks == .owned || checks == .privateToOwner, let refusal = folder.unsafe(privateToOwner: checks == .privateToOwner) {
            return .failure(refusal)
        }
        return .success(folder)
    }

    /// Why this folder must not be trusted, or nil.
    func unsafe(privateToOwner: Bool) -> FileRefusal? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .unreadable(errno) }
        let mode = UInt32(st.st_mode)
        guard mode & UInt32(S_IFMT) == UInt32(S_IFDIR) else { return .notDirectory }
        if let owner = owner, UInt32(st.st_uid) != owner { return .wrongOwner(UInt32(st.st_uid)) }
        guard mode & 0o022 == 0 else { return .groupOrOtherWritable(mode) }
        if privateToOwner && mode & 0o077 != 0 { return .notPrivate(mode) }
        return nil
    }

    // MARK: reading

    /// Reads the file `name` of this folder: a regular file owned by the owner, not writable by
    /// group or others, not readable by others when it `holdsSecret`, at most `maxBytes`.
    public func read(_ name: String, maxBytes: Int, holdsSecret: Bool) -> Result<StoredFile, FileRefusal> {
        guard SecureFolder.isEntryName(name) else { return .failure(name.isEmpty ? .notRegular : .missing) }
        let file = name.withCString { openat(fd, $0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) }
        if file < 0 {
            let e = errno
            switch e {
            case ENOENT: return .failure(.missing)
            case ELOOP: return .failure(.symlink)
            default: return .failure(.unreadable(e))
            }
        }
        defer { close(file) }
        var st = stat()
        guard fstat(file, &st) == 0 else { return .failure(.unreadable(errno)) }
        let mode = UInt32(st.st_mode)
        guard mode & UInt32(S_IFMT) == UInt32(S_IFREG) else { return .failure(.notRegular) }
        if let owner = owner {
            guard UInt32(st.st_uid) == owner else { return .failure(.wrongOwner(UInt32(st.st_uid))) }
            guard mode & 0o022 == 0 else { return .failure(.groupOrOtherWritable(mode)) }
        }
        if holdsSecret && mode & 0o004 != 0 { return .failure(.readableByOthers(mode)) }
        guard Int(st.st_size) <= maxBytes else { return .failure(.tooLarge(maxBytes)) }

        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(file, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable(errno))
            }
            if n == 0 { break }
            out.append(contentsOf: buffer.prefix(n))
            // The file may have grown since fstat.
            if out.count > maxBytes { return .failure(.tooLarge(maxBytes)) }
        }
        return .success(StoredFile(bytes: out, modifiedAt: Int64(st.st_mtim.tv_sec), identity: SecureFolder.identity(st)))
    }

    /// A file's identity and state as fstat saw it (see FileIdentity).
    static func identity(_ st: stat) -> FileIdentity {
        FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
                     modified: (Int64(st.st_mtim.tv_sec), Int64(st.st_mtim.tv_nsec)),
                     changed: (Int64(st.st_ctim.tv_sec), Int64(st.st_ctim.tv_nsec)))
    }

    /// Reads the file at `path` (its folder is opened with `.none`: only the file is checked).
    public static func read(_ path: String, owner: UInt32?, maxBytes: Int = 64 * 1024,
                            holdsSecret: Bool = false) -> Result<StoredFile, FileRefusal> {
        let (dir, name) = split(path)
        return open(dir, owner: owner, checks: .none).flatMap { $0.read(name, maxBytes: maxBytes, holdsSecret: holdsSecret) }
    }

    /// Reads the UTF-8 text file at `path`, like `read(_:owner:maxBytes:holdsSecret:)`.
    public static func readText(_ path: String, owner: UInt32?, maxBytes: Int = 64 * 1024,
                                holdsSecret: Bool = false) -> Result<String, FileRefusal> {
        read(path, owner: owner, maxBytes: maxBytes, holdsSecret: holdsSecret).flatMap { $0.text }
    }

    /// The entry names (without "." and ".."), in readdir order.
    public func names() -> Result<[String], FileRefusal> {
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { return .failure(.unreadable(errno)) }
        guard let dir = fdopendir(copy) else {
            let e = errno
            close(copy)
            return .failure(.unreadable(e))
        }
        defer { closedir(dir) }
        // The duplicate shares the read position with every earlier listing.
        rewinddir(dir)
        return .success(FolderEntries.names(dir))
    }

    // MARK: writing

    /// Replaces `name` atomically with `bytes` and exactly `mode` (umask does not apply). The
    /// owner is set to `fileOwner` and the group to `group` (else `fileOwner`'s id) when given;
    /// when only a group is given and it cannot be set (not root, not a member), the file gets no
    /// group permissions rather than the caller's group. On any failure the temporary file is
    /// removed and the old file is untouched. `durable: false` skips the two fsyncs (file and
    /// folder): for a cache that may be lost in a crash (the rename still makes the replacement
    /// atomic for readers); on ext4 they cost about 0.8 ms.
    public func replace(_ name: String, _ bytes: [UInt8], mode: mode_t, fileOwner: UInt32? = nil,
                        group: UInt32? = nil, durable: Bool = true) -> Result<Void, FileRefusal> {
        var mode = mode
        let written = writeTemporary(for: name, bytes, durable: durable) { tmp in
            if let o = fileOwner, fchown(tmp, o, group ?? o) != 0 { return "chown" }
            if fileOwner == nil, let g = group, fchown(tmp, UInt32.max, g) != 0 { mode &= ~mode_t(0o070) }
            return fchmod(tmp, mode) == 0 ? nil : "chmod"
        }
        let tmp: String
        switch written {
        case .failure(let f): return .failure(f)
        case .success(let t): tmp = t
        }
        guard renameat(fd, tmp, fd, name) == 0 else {
            let text = errnoText()
            unlinkat(fd, tmp, 0)
            return .failure(.failed("cannot be replaced (rename: \(text))"))
        }
        if durable { _ = fsync(fd) }
        return .success(())
    }

    /// Replaces the file at `path` atomically (see `replace(_:_:mode:fileOwner:group:)`),
    /// creating its missing parent folders with mode 0755 first. The folder it is in is opened
    /// like the folder of `read(_:owner:...)`: resolved as the system resolves it.
    public static func replace(atPath path: String, _ bytes: [UInt8], mode: mode_t, fileOwner: UInt32? = nil,
                               group: UInt32? = nil) -> Result<Void, FileRefusal> {
        let (dir, name) = split(path)
        return makeFolders(dir).flatMap { open(dir, owner: 0, checks: .none) }.flatMap {
            $0.replace(name, bytes, mode: mode, fileOwner: fileOwner, group: group)
        }
    }

    /// Creates the folder `path` with `mode` and its missing parents with 0755 (existing ones are
    /// kept as they are).
    public static func makeFolders(_ path: String, mode: mode_t = 0o755) -> Result<Void, FileRefusal> {
        var current = path.startsWithASCII("/") ? "" : "."
        let components = path.split(separator: "/")
        for (i, component) in components.enumerated() {
            current += "/" + component
            if mkdir(current, i == components.count - 1 ? mode : 0o755) != 0 && errno != EEXIST {
                return .failure(.failed("cannot be created (\(current): \(errnoText()))"))
            }
        }
        return .success(())
    }

    /// Creates `name` with `bytes` and `mode` unless it exists (false then): the complete file is
    /// linked into place (linkat fails when the name exists), so of two concurrent creators
    /// exactly one succeeds and no reader sees a partial file.
    public func createExclusive(_ name: String, _ bytes: [UInt8], mode: mode_t) -> Result<Bool, FileRefusal> {
        let tmp: String
        switch writeTemporary(for: name, bytes, prepare: { fchmod($0, mode) == 0 ? nil : "chmod" }) {
        case .failure(let f): return .failure(f)
        case .success(let t): tmp = t
        }
        defer { unlinkat(fd, tmp, 0) }
        if linkat(fd, tmp, fd, name, 0) == 0 {
            _ = fsync(fd)
            return .success(true)
        }
        if errno == EEXIST { return .success(false) }
        return .failure(.failed("cannot be created (link: \(errnoText()))"))
    }

    /// Writes `bytes` to a new temporary file in this folder (O_EXCL, no link followed), runs
    /// `prepare` on its descriptor (nil, or the step that failed), fsyncs it: its name, or why not.
    private func writeTemporary(for name: String, _ bytes: [UInt8], durable: Bool = true,
                                prepare: (Int32) -> String?) -> Result<String, FileRefusal> {
        guard SecureFolder.isEntryName(name) else { return .failure(.failed("is not a file name")) }
        var tmp = ""
        var file: Int32 = -1
        for _ in 0..<16 {
            tmp = "." + name + ".tmp." + String(getpid()) + "." + String(UInt64.random(in: 0...UInt64.max), radix: 16)
            file = openat(fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if file >= 0 || errno != EEXIST { break }
        }
        guard file >= 0 else { return .failure(.failed("cannot be written (a temporary file: \(errnoText()))")) }
        var step = prepare(file)
        if step == nil, let e = SecureFolder.writeAll(file, bytes) { step = "write"; errno = e }
        if step == nil && durable && fsync(file) != 0 { step = "fsync" }
        let text = errnoText()
        if close(file) != 0 && step == nil { step = "close" }
        if let step = step {
            unlinkat(fd, tmp, 0)
            return .failure(.failed("cannot be written (\(step): \(text))"))
        }
        return .success(tmp)
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

    // MARK: removing

    /// Removes the file (or link) `name`; false when there was none.
    public func remove(_ name: String) -> Result<Bool, FileRefusal> {
        guard SecureFolder.isEntryName(name) else { return .success(false) }
        if unlinkat(fd, name, 0) == 0 {
            _ = fsync(fd)
            return .success(true)
        }
        if errno == ENOENT { return .success(false) }
        return .failure(.failed("cannot be removed (\(errnoText()))"))
    }

    static let maxDepth = 32

    /// Removes the entry `name` and, when it is a folder, everything in it, walking by
    /// descriptor: a folder swapped for a link during the walk fails to open as a folder and is
    /// unlinked as the link it now is, so nothing outside is reached. False when there was none.
    public func removeTree(_ name: String) -> Result<Bool, FileRefusal> {
        guard SecureFolder.isEntryName(name) else { return .success(false) }
        var st = stat()
        guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return .success(false) }
            return .failure(.failed("\(name) cannot be examined (\(errnoText()))"))
        }
        return removeEntry(name, isFolder: UInt32(st.st_mode) & UInt32(S_IFMT) == UInt32(S_IFDIR), depth: 0).map { true }
    }

    /// Removes everything in this folder (kept itself).
    public func removeContents() -> Result<Void, FileRefusal> {
        clear(depth: 0)
    }

    private func clear(depth: Int) -> Result<Void, FileRefusal> {
        guard case .success(let entries) = names() else { return .failure(.failed("cannot be listed (\(errnoText()))")) }
        for entry in entries {
            var st = stat()
            guard fstatat(fd, entry, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
                if errno == ENOENT { continue }
                return .failure(.failed("\(path)/\(entry) cannot be examined (\(errnoText()))"))
            }
            if case .failure(let f) = removeEntry(entry, isFolder: UInt32(st.st_mode) & UInt32(S_IFMT) == UInt32(S_IFDIR), depth: depth) {
                return .failure(f)
            }
        }
        return .success(())
    }

    private func removeEntry(_ name: String, isFolder: Bool, depth: Int) -> Result<Void, FileRefusal> {
        if isFolder {
            guard depth < SecureFolder.maxDepth else { return .failure(.failed("\(child(name)) is nested too deeply")) }
            switch folder(name, checks: .notFollowed) {
            case .failure(.missing): return .success(())
            case .failure(.notDirectory), .failure(.symlink):
                // Swapped for a link or a file since it was examined: remove that, never follow it.
                break
            case .failure(let f): return .failure(.failed("\(child(name)) \(f)"))
            case .success(let sub):
                if case .failure(let f) = sub.clear(depth: depth + 1) { return .failure(f) }
                if unlinkat(fd, name, AT_REMOVEDIR) != 0 && errno != ENOENT {
                    return .failure(.failed("\(child(name)) cannot be removed (\(errnoText()))"))
                }
                return .success(())
            }
        }
        if unlinkat(fd, name, 0) != 0 && errno != ENOENT {
            return .failure(.failed("\(child(name)) cannot be removed (\(errnoText()))"))
        }
        return .success(())
    }

    // MARK: a locked small file

    public func updateLocked(_ name: String, maxBytes: Int, _ body: ([UInt8]) -> [UInt8]?) -> Bool {
        guard SecureFolder.isEntryName(name) else { return false }
        let file = openat(fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard file >= 0 else { return false }
        defer { close(file) }
        var st = stat()
        guard fstat(file, &st) == 0, UInt32(st.st_mode) & UInt32(S_IFMT) == UInt32(S_IFREG),
              owner.map({ UInt32(st.st_uid) == $0 }) ?? true, UInt32(st.st_mode) & 0o022 == 0 else { return false }
        // Held only while the content is read and written.
        guard flock(file, LOCK_EX | LOCK_NB) == 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: max(0, maxBytes))
        let n = buffer.withUnsafeMutableBytes { pread(file, $0.baseAddress, $0.count, 0) }
        guard let new = body(Array(buffer.prefix(max(0, n)))) else { return false }
        guard ftruncate(file, 0) == 0 else { return false }
        if new.isEmpty { return true }
        let written = new.withUnsafeBytes { pwrite(file, $0.baseAddress, $0.count, 0) }
        return written == new.count
    }

    // MARK: names

    private func child(_ name: String) -> String { path == "/" ? "/" + name : path + "/" + name }

    /// One entry of a folder: not empty, no slash, not "." or "..".
    static func isEntryName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.utf8.contains(UInt8(ascii: "/")) && !name.utf8.contains(0)
    }

    /// The folder and the last component of `path`.
    public static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let dir = String(path[..<slash])
        return (dir.isEmpty ? "/" : dir, String(path[path.index(after: slash)...]))
    }
}

/// strerror of `code` (errno when not given).
private func errnoText(_ code: Int32 = errno) -> String {
    guard let s = strerror(code) else { return "errno \(code)" }
    return String(cString: s)
}

// What the core's seam asks for, with the module's modes.
extension SecureFolder {
    public func folder(_ name: String, createMode: UInt32?, privateToOwner: Bool) -> Result<StorageFolder, FileRefusal> {
        folder(name, checks: privateToOwner ? .privateToOwner : .owned, createMode: createMode).map { $0 }
    }

    public func read(_ name: String, maxBytes: Int) -> Result<StoredFile, FileRefusal> {
        read(name, maxBytes: maxBytes, holdsSecret: false)
    }

    public func replace(_ name: String, _ bytes: [UInt8]) -> Result<Void, FileRefusal> {
        replace(name, bytes, mode: 0o600)
    }

    public func createExclusive(_ name: String, _ bytes: [UInt8]) -> Result<Bool, FileRefusal> {
        createExclusive(name, bytes, mode: 0o600)
    }

    public func removeFolder(_ name: String) -> Result<Bool, FileRefusal> {
        removeTree(name)
    }
}

/// The module's files on this machine, owned by `owner` (root; a test's own uid).
public final class SystemStorage: ModuleStorage {
    public let owner: UInt32

    public init(owner: UInt32 = 0) {
        self.owner = owner
    }

    public func readFile(_ path: String, maxBytes: Int, holdsSecret: Bool) -> Result<StoredFile, FileRefusal> {
        SecureFolder.read(path, owner: owner, maxBytes: maxBytes, holdsSecret: holdsSecret)
    }

    public func openFolder(_ path: String, createMode: UInt32?, privateToOwner: Bool) -> Result<StorageFolder, FileRefusal> {
        SecureFolder.open(path, owner: owner, checks: privateToOwner ? .privateToOwner : .owned, createMode: createMode).map { $0 }
    }
}
