#if canImport(Glibc)
import JCFedAdmin
import Glibc
#endif

/// `--root DIR`: which tree the tool works on, whether it is safe to work on as root, and how a
/// path of the installed system is found in it.
///
/// - `$JCFED_ROOT` is a default for unprivileged runs (tests, image builds) only: when the
///   effective uid is 0 only `--root` counts, so a stray value kept by `su` or `sudo -E` cannot
///   make the tool report on, or write to, another tree than the system.
/// - As root, DIR is taken by its canonical path (no symbolic links) and every directory from `/`
///   down to it must be owned by root and not writable by group or others; above DIR a root-owned
///   sticky directory (`/tmp`) is accepted, since no one else can then rename or replace the
///   root-owned directory below it. DIR itself must be root-owned and not group/other-writable.
/// - Paths under DIR are resolved inside the tree, never out of it: a symbolic link on the way
///   is taken relative to DIR (`..` stops at DIR), like openat2's RESOLVE_IN_ROOT; the last
///   component is not followed (the file's own checks see the link). As root, every directory
///   passed through must be root-owned and not group/other-writable, so nobody else can swap
///   one for a link between the check and the use.
enum RootTree {
    static let maxLinks = 40

    /// The root the options and the environment name, as given.
    static func requested(option: String?, effectiveUID: UInt32 = UInt32(geteuid()),
                          environment: (String) -> String? = ProcessEnvironment.get) -> String {
        if let option = option { return option }
        if effectiveUID != 0, let value = environment("JCFED_ROOT") { return value }
        return "/"
    }

    /// "/" or the canonical absolute directory without a trailing slash; as root, a tree only
    /// root can change.
    static func resolve(option: String?) throws -> String {
        var dir = requested(option: option)
        if dir.isEmpty { dir = "/" }
        guard dir.hasPrefix("/") else {
            throw ToolFailure("--root must be an absolute path, not '\(dir)'", status: ExitStatus.usage)
        }
        while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
        if dir == "/" { return dir }
        var st = stat()
        guard stat(dir, &st) == 0, UInt32(st.st_mode) & UInt32(S_IFMT) == UInt32(S_IFDIR), let real = realPath(dir) else {
            throw ToolFailure("--root \(dir) is not a directory", status: ExitStatus.usage)
        }
        if real != "/" && geteuid() == 0 {
            if let problem = unsafeAncestry(real) {
                throw ToolFailure.refused("--root \(dir): \(problem); as root, use a tree that only root can change")
            }
        }
        return real
    }

    /// Why the canonical directory `dir` could be changed by someone other than root, or nil.
    static func unsafeAncestry(_ dir: String, info: (String) -> FileSystem.Info? = FileSystem.info) -> String? {
        var path = ""
        let components = dir.split(separator: "/")
        for (i, component) in ([""] + components.map(String.init)).enumerated() {
            path = i == 0 ? "/" : (path == "/" ? "" : path) + "/" + component
            guard let st = info(path) else { return "\(path) cannot be examined: \(FileSystem.errorText())" }
            if st.isSymlink { return "\(path) is a symbolic link" }
            guard st.isDirectory else { return "\(path) is not a directory" }
            let isDir = i == components.count
            if let problem = unsafeDirectory(path, st, allowSticky: !isDir) { return problem }
        }
        return nil
    }

    /// Why a directory could be changed by someone other than root, or nil.
    static func unsafeDirectory(_ path: String, _ st: FileSystem.Info, allowSticky: Bool) -> String? {
        if st.uid != 0 { return "\(path) is owned by uid \(st.uid), not root" }
        if st.mode & 0o022 != 0 && !(allowSticky && st.mode & UInt32(S_ISVTX) != 0) {
            return "\(path) is writable by \(st.mode & 0o002 != 0 ? "others" : "its group") (mode \(st.permissions))"
        }
        return nil
    }

    /// The host path of `target` (a path of the installed system) in the tree at `root`
    /// (canonical, not "/"). See the type's comment.
    static func resolve(_ target: String, in root: String, followLast: Bool = false, checkOwners: Bool,
                        info: (String) -> FileSystem.Info? = FileSystem.info,
                        readLink: (String) -> String? = RootTree.readLink) -> Result<String, ToolFailure> {
        var done: [String] = []
        var pending: [String] = target.split(separator: "/").reversed().map(String.init)
        var links = 0
        func current(_ extra: String? = nil) -> String {
            let parts = extra.map { done + [$0] } ?? done
            return parts.isEmpty ? root : root + "/" + parts.joined(separator: "/")
        }
        while let c = pending.popLast() {
            if c == "." { continue }
            if c == ".." { _ = done.popLast(); continue }
            if pending.isEmpty && !followLast { done.append(c); break }
            let path = current(c)
            guard let st = info(path) else { done.append(c); continue }  // missing: created later
            if st.isSymlink {
                links += 1
                guard links <= maxLinks, let link = readLink(path) else {
                    return .failure(.refused("--root \(root): \(path): too many or unreadable symbolic links"))
                }
                if link.hasPrefix("/") { done = [] }
                pending.append(contentsOf: link.split(separator: "/").reversed().map(String.init))
                continue
            }
            if st.isDirectory && checkOwners, let problem = unsafeDirectory(path, st, allowSticky: false) {
                return .failure(.refused("--root \(root): \(problem); refusing to go through it to \(target)"))
            }
            done.append(c)
        }
        return .success(current())
    }

    /// Directories pam-auth-update works in (it takes `--root DIR` as a prefix and follows
    /// whatever it finds there): each must be a real directory, not a symbolic link, and as
    /// root one only root can change; the files it reads, writes or renames in them must not
    /// be symbolic links. nil when the tree is fit.
    static func pamAuthUpdateProblem(root: String, checkOwners: Bool,
                                     info: (String) -> FileSystem.Info? = FileSystem.info,
                                     list: (String) -> [String] = FileSystem.list) -> String? {
        let dirs = ["/etc", "/etc/pam.d", "/usr", "/usr/share", "/usr/share/pam-configs", "/var", "/var/lib", "/var/lib/pam"]
        for dir in dirs {
            let path = root + dir
            guard let st = info(path) else { return "\(path) does not exist" }
            if st.isSymlink { return "\(path) is a symbolic link" }
            guard st.isDirectory else { return "\(path) is not a directory" }
            if checkOwners, let problem = unsafeDirectory(path, st, allowSticky: false) { return problem }
        }
        for dir in ["/usr/share/pam-configs", "/var/lib/pam"] {
            for name in list(root + dir) where info(root + dir + "/" + name)?.isSymlink ?? false {
                return "\(root + dir)/\(name) is a symbolic link"
            }
        }
        for name in list(root + "/etc/pam.d") where name.hasPrefix("common-") {
            if info(root + "/etc/pam.d/" + name)?.isSymlink ?? false { return "\(root)/etc/pam.d/\(name) is a symbolic link" }
        }
        return nil
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
