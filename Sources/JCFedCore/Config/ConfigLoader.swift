/// Loads and checks jcfed.conf and the client secret it names, with the SafeFile rules.
/// This is what both the module and `jcfed check-config` call.
public struct LoadedConfig: Sendable {
    public var config: JCFedConfig
    public var warnings: [ConfigError]
    /// The client secret, when the app registration is confidential. Never logged.
    public var clientSecret: String?
}

public enum ConfigLoader {
    public static let defaultPath = "/etc/jcfed/jcfed.conf"

    /// `hostPrefix` is prepended to the paths named *inside* the file (client_secret_file): the
    /// admin tool's `--root DIR` checks a staged system with the module's own rules. The module
    /// always passes "".
    public static func load(path: String, owner: UInt32 = 0, hostPrefix: String = "") -> Result<LoadedConfig, ConfigError> {
        // A relative config= would resolve against the PAM host's working directory (for su, the
        // invoking user's), so it is refused rather than resolved.
        guard path.hasPrefix("/") else {
            return .failure(ConfigError(path: path, problem: "must be an absolute path (config=/etc/jcfed/jcfed.conf)"))
        }
        let text: String
        switch SafeFile.readText(path, rules: .init(owner: owner, maxBytes: 64 * 1024)) {
        case .success(let t): text = t
        case .failure(let f): return .failure(ConfigError(path: path, problem: f.description))
        }
        let parsed: ConfigParseResult
        switch ConfigParser.parse(text, path: path) {
        case .success(let p): parsed = p
        case .failure(let e): return .failure(e)
        }
        var secret: String?
        if let inline = parsed.config.idp.clientSecret {
            // A file that holds a secret must not be readable by others: re-check the mode.
            if case .failure(let f) = SafeFile.read(path, rules: .init(owner: owner, holdsSecret: true)) {
                return .failure(ConfigError(path: path, key: "idp.client_secret", problem: "this file " + f.description))
            }
            secret = inline
        } else if let secretPath = parsed.config.idp.clientSecretFile {
            switch SafeFile.readText(hostPrefix + secretPath, rules: .init(owner: owner, maxBytes: 4096, holdsSecret: true)) {
            case .failure(let f):
                return .failure(ConfigError(path: path, key: "idp.client_secret_file", problem: "\(secretPath) " + f.description))
            case .success(let s):
                let trimmed = INIFile.trim(INIFile.lines(s).first ?? "")
                guard !trimmed.isEmpty else {
                    return .failure(ConfigError(path: path, key: "idp.client_secret_file", problem: "\(secretPath) is empty"))
                }
                secret = trimmed
            }
        }
        return .success(LoadedConfig(config: parsed.config, warnings: parsed.warnings, clientSecret: secret))
    }
}
