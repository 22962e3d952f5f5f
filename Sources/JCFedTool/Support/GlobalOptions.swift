import ArgumentParser
import JCFedAdmin
import JCFedCore
import JCFedSystem
#if canImport(Glibc)
import Glibc
#endif

/// Options every command takes: where the system is (--root) and which jcfed.conf (--config).
///
/// One type for the whole command tree, because swift-argument-parser hands a parent's parsed
/// option group to a subcommand only when both use the same type: `jcfed --root DIR pins list`
/// then reaches the pins command too.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Operate on the system under DIR instead of / (default: $JCFED_ROOT, ignored when run as root; else /). As root, DIR must be a tree only root can change.", valueName: "DIR"))
    var root: String?

    @Option(name: .long, help: ArgumentHelp("Use this jcfed.conf (taken as given, not under --root). Default: /etc/jcfed/jcfed.conf under the root.", valueName: "PATH"))
    var config: String?

    /// Resolves the options and the environment into the paths a command works on (see
    /// RootTree: $JCFED_ROOT only when not root; as root, a tree only root can change).
    func context() throws -> ToolContext {
        ToolContext(root: try RootTree.resolve(option: root), configOverride: config.map(FileSystem.absolute))
    }
}

/// `--yes`, for the commands that ask before a change that affects logins.
struct ConfirmationOptions: ParsableArguments {
    @Flag(help: "Do not ask for confirmation (scripts).")
    var yes = false

    /// Asks for `phrase` unless --yes was given (Confirmation.require).
    func require(phrase: String = "yes", question: String) throws {
        try Confirmation.require(phrase: phrase, question: question, assumeYes: yes)
    }
}

extension ParsableCommand {
    /// Runs a command body, turning a ToolFailure into "jcfed: <message>" on stderr and its
    /// exit status (ArgumentParser would otherwise print it as a usage error).
    func guarded(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let failure as ToolFailure {
            Terminal.err("jcfed: " + failure.message)
            throw ExitCode(failure.status)
        }
    }

    /// The preamble of every command: the context, failures reported like every other.
    func reading(_ options: GlobalOptions, _ body: (ToolContext) throws -> Void) throws {
        try guarded { try body(try options.context()) }
    }

    /// The preamble of every command that changes the system: the context, the root check,
    /// the configuration store; failures reported like every other (`guarded`).
    func changing(_ options: GlobalOptions, _ body: (ToolContext, ConfigStore) throws -> Void) throws {
        try reading(options) { context in
            try context.requireRootForChanges()
            try body(context, ConfigStore(context: context))
        }
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
    static let defaultSecretFile = IdPEdit.defaultSecretFile
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
            throw ToolFailure("this changes how people log in here: run it as root (sudo jcfed ...)")
        }
    }

    /// The configuration for the directory and pins commands, with its paths (directory,
    /// state, API key, agent) as this process finds them; warnings on stderr.
    func loadedConfig() throws -> JCFedConfig {
        var c: JCFedConfig
        switch ConfigLoader.load(path: configHostPath, storage: SystemStorage(owner: configOwner)) {
        case .failure(let e): throw ToolFailure(e.description)
        case .success(let l):
            for w in l.warnings { Terminal.err("jcfed: warning: \(w)") }
            c = l.config
        }
        c.mapping.directory = host(c.mapping.directory)
        c.mapping.stateDir = hostDirectory(c.mapping.stateDir)
        c.jumpcloud.apiKeyFile = host(c.jumpcloud.apiKeyFile)
        c.jumpcloud.agentDir = hostDirectory(c.jumpcloud.agentDir)
        return c
    }

    /// Owner to set on files we write: root when we are root, else leave as created.
    var writeOwner: UInt32? {
        geteuid() == 0 ? 0 : nil
    }
}
