/// Loads and checks jcfed.conf and the client secret it names, through the storage's file rules
/// (ModuleStorage: no symlink, owner, mode, size). This is what both the module and
/// `jcfed check-config` call.
public struct LoadedConfig: Sendable {
    public var config: JCFedConfig
    public var warnings: [ConfigError]
    /// The client secret, when the app registration is confidential. Never logged.
    public var clientSecret: String?
    /// jcfed.conf as it was read (nil from a storage without files, or when it was not read).
    public var fileIdentity: FileIdentity?

    public init(config: JCFedConfig, warnings: [ConfigError], clientSecret: String?, fileIdentity: FileIdentity? = nil) {
        self.config = config
        self.warnings = warnings
        self.clientSecret = clientSecret
        self.fileIdentity = fileIdentity
    }
}

public enum ConfigLoader {
    public static let defaultPath = "/etc/jcfed/jcfed.conf"

    /// `hostPrefix` is prepended to the paths named *inside* the file (client_secret_file): the
    /// admin tool's `--root DIR` checks a staged system with the module's own rules. The module
    /// always passes "".
    public static func load(path: String, storage: ModuleStorage, hostPrefix: String = "") -> Result<LoadedConfig, ConfigError> {
        let (loaded, problems) = loadForLogin(path: path, storage: storage, hostPrefix: hostPrefix)
        if let first = problems.errors.first { return .failure(first) }
        return .success(loaded)
    }

    /// What the module reads at login: the configuration with every problem, each confined to
    /// the key or section it is in (ConfigProblems), so that an error in one section does not
    /// stop the others from deciding that a user is not federated. The client secret is read only
    /// from a file without problems. Its first error is the one `load` fails with.
    ///
    /// With a `memory` (the module's PAM handle), a file an earlier stage of the same PAM
    /// transaction parsed is not read again; one that could not be read is read again.
    public static func loadForLogin(path: String, storage: ModuleStorage, hostPrefix: String = "",
                                    memory: ConfigMemory? = nil) -> (LoadedConfig, ConfigProblems) {
        var problems = ConfigProblems()
        var loaded = LoadedConfig(config: JCFedConfig(), warnings: [], clientSecret: nil)
        // A relative config= would resolve against the PAM host's working directory (for su, the
        // invoking user's), so it is refused rather than resolved.
        guard path.startsWithASCII("/") else {
            problems.add(ConfigError(path: path, problem: "must be an absolute path (config=/etc/jcfed/jcfed.conf)"), section: nil)
            return (loaded, problems)
        }
        let file: ParsedConfigFile
        if let remembered = memory?.recall(path: path) {
            file = remembered
        } else {
            let text: String
            let identity: FileIdentity?
            switch storage.readFile(path, maxBytes: 64 * 1024, holdsSecret: false).flatMap({ f in f.text.map { (f.identity, $0) } }) {
            case .success(let (i, t)): (identity, text) = (i, t)
            case .failure(let f):
                problems.add(ConfigError(path: path, problem: f.description), section: nil)
                return (loaded, problems)
            }
            let (parsed, parseProblems) = ConfigParser.parseCollecting(text, path: path)
            file = ParsedConfigFile(path: path, parsed: parsed, problems: parseProblems, identity: identity)
            memory?.remember(file)
        }
        let parsed = file.parsed
        let parseProblems = file.problems
        loaded.config = parsed.config
        loaded.warnings = parsed.warnings
        loaded.fileIdentity = file.identity
        guard parseProblems.isEmpty else { return (loaded, parseProblems) }
        switch clientSecret(parsed.config, path: path, storage: storage, hostPrefix: hostPrefix) {
        case .failure(let e): problems.add(e, section: "idp")
        case .success(let s): loaded.clientSecret = s
        }
        return (loaded, problems)
    }

    static func clientSecret(_ config: JCFedConfig, path: String, storage: ModuleStorage, hostPrefix: String) -> Result<String?, ConfigError> {
        if let inline = config.idp.clientSecret {
            // A file that holds a secret must not be readable by others: re-check the mode.
            if case .failure(let f) = storage.read(path, holdsSecret: true) {
                return .failure(ConfigError(path: path, key: "idp.client_secret", problem: "this file " + f.description))
            }
            return .success(inline)
        }
        guard let secretPath = config.idp.clientSecretFile else { return .success(nil) }
        switch storage.readText(hostPrefix + secretPath, maxBytes: 4096, holdsSecret: true) {
        case .failure(let f):
            return .failure(ConfigError(path: path, key: "idp.client_secret_file", problem: "\(secretPath) " + f.description))
        case .success(let s):
            let trimmed = (INIFile.lines(s).first ?? "").trimmingSpaces()
            guard !trimmed.isEmpty else {
                return .failure(ConfigError(path: path, key: "idp.client_secret_file", problem: "\(secretPath) is empty"))
            }
            return .success(trimmed)
        }
    }
}
