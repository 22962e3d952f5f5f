/// The INI syntax of jcfed.conf: `# comment` (and `;`), `[section]`, `key = value`.
/// Kept separate from the meaning of keys so the admin tool can rewrite a file while keeping
/// comments and unknown keys (see INIDocument in the tool).
public struct INIEntry: Sendable, Equatable {
    public var section: String
    public var key: String
    public var value: String
    public var line: Int
}

public enum INIFile {
    /// Parses text into entries; a malformed line is an error naming its line.
    public static func parse(_ text: String, path: String) -> Result<[INIEntry], ConfigError> {
        var entries: [INIEntry] = []
        var section = ""
        var lineNo = 0
        for rawLine in lines(text) {
            lineNo += 1
            // A NUL would cut a path or URL short once handed to C; an escape or newline-like
            // character could forge a log line. Tabs (and a CR that trim removes) are fine.
            if rawLine.unicodeScalars.contains(where: isControl) {
                return .failure(ConfigError(path: path, line: lineNo, problem: "contains a control character"))
            }
            let line = trim(Substring(rawLine))
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                let name = line.hasSuffix("]") && line.count >= 2 ? trim(line.dropFirst().dropLast()) : ""
                guard !name.isEmpty else {
                    return .failure(ConfigError(path: path, line: lineNo, problem: "malformed section header"))
                }
                section = name.lowercased()
                continue
            }
            guard let eq = line.firstIndex(of: "=") else {
                return .failure(ConfigError(path: path, line: lineNo, problem: "expected 'key = value'"))
            }
            let key = trim(line[..<eq]).lowercased()
            var value = trim(line[line.index(after: eq)...])
            // A trailing " # comment" is a comment; '#' inside a value needs no space before it.
            if let hash = value.firstRange(of: " #") ?? value.firstRange(of: "\t#") {
                value = trim(value[..<hash.lowerBound])
            }
            guard !key.isEmpty else {
                return .failure(ConfigError(path: path, line: lineNo, problem: "missing key before '='"))
            }
            guard !section.isEmpty else {
                return .failure(ConfigError(path: path, line: lineNo, key: key, problem: "key outside of any [section]"))
            }
            entries.append(INIEntry(section: section, key: key, value: value, line: lineNo))
        }
        return .success(entries)
    }

    /// Splits text into lines at LF or CRLF. Swift treats "\r\n" as one Character, so splitting
    /// on "\n" alone would leave a CRLF file (edited on Windows) as a single line.
    static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    static func isControl(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        return (v < 0x20 && v != 0x09 && v != 0x0D) || (v >= 0x7F && v <= 0x9F)
    }

    static func trim<S: StringProtocol>(_ s: S) -> String {
        var sub = Substring(s)
        while let f = sub.first, f == " " || f == "\t" || f == "\r" { sub = sub.dropFirst() }
        while let l = sub.last, l == " " || l == "\t" || l == "\r" { sub = sub.dropLast() }
        return String(sub)
    }
}

