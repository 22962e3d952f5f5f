/// Turns INI entries into a JCFedConfig. Each key has one setter that validates its value;
/// a bad value is an error naming file, line and key (the module then returns PAM_SERVICE_ERR).
/// Unknown sections and keys are warnings: logged at LOG_ERR and ignored, like unknown module
/// arguments, so a newer file still loads in an older module.
public struct ConfigParseResult: Sendable {
    public var config: JCFedConfig
    public var warnings: [ConfigError]
}

/// Every problem of a file, and which settings they leave unknown: what the module needs to
/// decide, despite the errors, that a user is not federated (LoginSubject, ConfigLoader.loadForLogin).
public struct ConfigProblems: Sendable, Equatable {
    /// In file order; the first is the one `jcfed check-config` and the strict parse report.
    public var errors: [ConfigError] = []
    /// Full keys ("mapping.min_uid") whose value is not known: refused, or set twice.
    public var unknownKeys: Set<String> = []
    /// Sections with a malformed line, or with a rule between keys broken: none of their keys is known.
    public var unknownSections: Set<String> = []
    /// Nothing in the file can be trusted: it is missing, unsafe or unreadable, or a line could
    /// have changed which section the next lines are in.
    public var wholeFile = false

    public init() {}

    public var isEmpty: Bool { errors.isEmpty }

    /// Whether the value of `fullKey` in the parsed config is the file's (or the documented
    /// default because the file does not set it), rather than a default standing in for a
    /// refused value.
    public func isKnown(_ fullKey: String) -> Bool {
        if wholeFile || unknownKeys.contains(fullKey) { return false }
        guard let section = fullKey.split(separator: ".", maxSplits: 1).first else { return false }
        return !unknownSections.contains(String(section))
    }

    mutating func add(_ error: ConfigError, section: String?) {
        errors.append(error)
        if let s = section { unknownSections.insert(s) } else { wholeFile = true }
    }

    mutating func add(_ error: ConfigError, key: String) {
        errors.append(error)
        unknownKeys.insert(key)
    }
}

public enum ConfigParser {
    /// The strict parse (`jcfed check-config`, the tool before any write): the first problem.
    public static func parse(_ text: String, path: String) -> Result<ConfigParseResult, ConfigError> {
        let (result, problems) = parseCollecting(text, path: path)
        if let first = problems.errors.first { return .failure(first) }
        return .success(result)
    }

    /// Every problem, each confined to the key or section it is in; the config holds the
    /// documented default wherever a value was refused (ConfigProblems says which). The first
    /// error is the strict parse's: malformed lines first, then keys in file order, then the
    /// rules between keys (checked only when no key of [idp] was refused).
    public static func parseCollecting(_ text: String, path: String) -> (ConfigParseResult, ConfigProblems) {
        var problems = ConfigProblems()
        let ini = INIFile.parseCollecting(text, path: path)
        for e in ini.errors { problems.add(e.error, section: e.section) }
        var config = JCFedConfig()
        var warnings: [ConfigError] = []
        // Where each key was set: at most one entry per key, so a list (no dictionary to hash).
        var seen: [(key: ConfigKey, line: Int)] = []
        for entry in ini.entries {
            let fullKey = entry.section + "." + entry.key
            func fail(_ problem: String) -> ConfigError {
                ConfigError(path: path, line: entry.line, key: fullKey, problem: problem)
            }
            guard let key = ConfigKey.named(fullKey) else {
                warnings.append(fail("unknown key, ignored"))
                continue
            }
            if let first = seen.first(where: { $0.key == key })?.line {
                problems.add(fail("set twice (first on line \(first))"), key: fullKey)
                continue
            }
            seen.append((key, entry.line))
            if let problem = ConfigKeys.apply(key, entry.value, to: &config) {
                problems.add(fail(problem), key: fullKey)
            }
        }
        let idpRefused = problems.wholeFile || problems.unknownSections.contains("idp")
            || problems.unknownKeys.contains { $0.hasPrefix("idp.") }
        if !idpRefused, let problem = ConfigKeys.validateWhole(config) {
            // Name the line where the key was set, so the admin finds it (nil when it is missing).
            let section = String(problem.key.prefix { $0 != "." })
            problems.add(ConfigError(path: path, line: seen.first(where: { $0.key.rawValue == problem.key })?.line, key: problem.key, problem: problem.problem),
                         section: section)
        }
        return (ConfigParseResult(config: config, warnings: warnings), problems)
    }
}
