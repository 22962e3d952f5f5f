import ArgumentParser
import JCFedCore
#if canImport(Glibc)
import Glibc
#endif

/// Options every command takes: where the system is (--root) and which jcfed.conf (--config).
///
/// One type for the whole command tree, because swift-argument-parser hands a parent's parsed
/// option group to a subcommand only when both use the same type: `jcfed --root DIR pins list`
/// then reaches the pins command too. The options themselves are declared once, in
/// IdentityToolOptions (Commands/DirectoryCommand.swift), which the directory and pins commands
/// use; the tool's own resolution is the extension below. (Cleaner end state: declare the two
/// options here and make IdentityToolOptions the alias.)
typealias GlobalOptions = IdentityToolOptions

extension IdentityToolOptions {
    /// Resolves the options and the environment into the paths a command works on (see
    /// RootTree: $JCFED_ROOT only when not root; as root, a tree only root can change).
    func context() throws -> ToolContext {
        ToolContext(root: try RootTree.resolve(option: root), configOverride: config.map(FileSystem.absolute))
    }
}

/// getenv without Foundation.
enum ProcessEnvironment {
    static func get(_ name: String) -> String? {
        guard let v = getenv(name) else { return nil }
        return String(cString: v)
    }
}

/// Where things are for one run of the tool.
///
/// --root semantics: a *target path* is what the installed system sees (`/etc/jcfed/jcfed.conf`,
/// and what is written into jcfed.conf and PAM files); a *host path* is where this process
/// finds it (`<root>/etc/jcfed/jcfed.conf`). Only `host(_:)` turns one into the other.
struct ToolContext {
    static let defaultConfig = ConfigLoader.defaultPath
    static let defaultSecretFile = "/etc/jcfed/client_secret"
    static let pamDir = "/etc/pam.d"
    static let pamConfigsDir = "/usr/share/pam-configs"
    static let pamSavedStateDir = "/var/lib/pam"
    static let stateDir = "/var/lib/jcfed"
    static let cacheDir = "/var/cache/jcfed"
    static let authLog = "/var/log/auth.log"

    /// "/" or an absolute directory without a trailing slash.
    let root: String
    let configOverride: String?

    var isSystemRoot: Bool { root == "/" }

    /// The host path of a target path. Under another root it is resolved inside the tree
    /// (RootTree.resolve: symbolic links on the way never lead out of it; the last component
    /// is not followed); a tree that is unsafe on the way ends the command (exit 2).
    func host(_ targetPath: String) -> String {
        isSystemRoot ? targetPath : ToolContext.resolvedOrExit(targetPath, root: root, followLast: false)
    }

    /// The host path of a target directory, its last component resolved in the tree too.
    func hostDirectory(_ targetPath: String) -> String {
        isSystemRoot ? targetPath : ToolContext.resolvedOrExit(targetPath, root: root, followLast: true)
    }

    static func resolvedOrExit(_ targetPath: String, root: String, followLast: Bool) -> String {
        switch RootTree.resolve(targetPath, in: root, followLast: followLast, checkOwners: geteuid() == 0) {
        case .success(let path): return path
        case .failure(let failure):
            Terminal.err("jcfed: " + failure.message)
            exit(failure.status)
        }
    }

    /// Host path of jcfed.conf.
    var configHostPath: String { configOverride ?? host(ToolContext.defaultConfig) }

    /// Path of jcfed.conf as the module will see it (the PAM line's `config=` when not the default).
    var configTargetPath: String {
        guard let override = configOverride else { return ToolContext.defaultConfig }
        if !isSystemRoot && override.hasPrefix(root + "/") { return String(override.dropFirst(root.count)) }
        return override
    }

    /// The owner configuration files must have. Root on a real system; under --root as an
    /// unprivileged user (tests, image builds), the user's own files are accepted.
    var configOwner: UInt32 {
        isSystemRoot ? 0 : UInt32(geteuid())
    }

    /// Commands that change the system run as root on the real system; under --root the
    /// invoking user's permissions on the tree decide.
    func requireRootForChanges() throws {
        if isSystemRoot && geteuid() != 0 {
            throw ToolFailure("this changes /etc and PAM: run it as root (sudo jcfed ...)")
        }
    }

    /// Owner to set on files we write: root when we are root, else leave as created.
    var writeOwner: UInt32? {
        geteuid() == 0 ? 0 : nil
    }
}
