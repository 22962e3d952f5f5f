/// Turns INI entries into a JCFedConfig. Each key has one setter that validates its value;
/// a bad value is an error naming file, line and key (the module then returns PAM_SERVICE_ERR).
/// Unknown sections and keys are warnings: logged at LOG_ERR and ignored, like unknown module
/// arguments, so a newer file still loads in an older module.
public struct ConfigParseResult: Sendable {
    public var config: JCFedConfig
    public var warnings: [ConfigError]
}

public enum ConfigParser {
    public static func parse(_ text: String, path: String) -> Result<ConfigParseResult, ConfigError> {
        let entries: [INIEntry]
        switch INIFile.parse(text, path: path) {
        case .success(let e): entries = e
        case .failure(let e): return .failure(e)
        }
        var config = JCFedConfig()
        var warnings: [ConfigError] = []
        var seen: [String: Int] = [:]
        for entry in entries {
            let fullKey = entry.section + "." + entry.key
            func fail(_ problem: String) -> ConfigError {
                ConfigError(path: path, line: entry.line, key: fullKey, problem: problem)
            }
            guard let setter = ConfigKeys.table[fullKey] else {
                warnings.append(fail("unknown key, ignored"))
                continue
            }
            if let first = seen[fullKey] {
                return .failure(fail("set twice (first on line \(first))"))
            }
            seen[fullKey] = entry.line
            if let problem = setter(&config, entry.value) {
                return .failure(fail(problem))
            }
        }
        if let problem = ConfigKeys.validateWhole(config) {
            // Name the line where the key was set, so the admin finds it (nil when it is missing).
            return .failure(ConfigError(path: path, line: seen[problem.key], key: problem.key, problem: problem.problem))
        }
        return .success(ConfigParseResult(config: config, warnings: warnings))
    }
}
