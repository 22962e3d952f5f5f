import JCFedAdmin
import JCFedCore

/// Unknown keys and sections of jcfed.conf. The module logs them and goes on (a newer file must
/// still load in an older module); the tool treats them as errors, because a typo such as
/// `[routing] group = admins` silently leaves the setting at its default (everyone federated).
enum UnknownKeys {
    /// The module's warnings about unknown keys, each with a suggestion when a close key exists.
    static func errors(_ warnings: [ConfigError]) -> [String] {
        warnings.map { w in
            var e = w
            e.problem = "unknown key (the PAM module ignores it)"
            if let key = w.key, let guess = suggestion(for: key) { e.problem += "; did you mean \(guess)?" }
            return e.description
        }
    }

    /// A known key close to `fullKey` ("section.key"): a plural or singular form, or `-` for `_`.
    static func suggestion(for fullKey: String) -> String? {
        let parts = fullKey.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        let (section, key) = (parts[0], parts[1])
        var candidates = [key + "s", key.replacingAll("-", with: "_")]
        if key.hasSuffix("s") { candidates.append(String(key.dropLast())) }
        for c in candidates where c != key && isKnown(section: section, key: c) { return "\(section).\(c)" }
        return nil
    }

    /// Whether the module knows the key: a file holding only it (and a valid minimal [idp]) makes
    /// the parser warn about it only when it is unknown.
    static func isKnown(section: String, key: String) -> Bool {
        let text = "[idp]\ntype = oidc\nurl = https://idp.example/\nclient_id = x\n[\(section)]\n\(key) = \n"
        switch ConfigParser.parse(text, path: "/probe") {
        case .failure: return true
        case .success(let r): return r.warnings.isEmpty
        }
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
