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
        let all = parseCollecting(text, path: path)
        if let first = all.errors.first { return .failure(first.error) }
        return .success(all.entries)
    }

    /// A malformed line and where it is: in `section` (nil when the line could have changed the
    /// section, or came before any, so no section of the file can be trusted).
    public struct LineError: Sendable, Equatable {
        public var error: ConfigError
        public var section: String?
    }

    /// Every well-formed entry and every malformed line, in file order (the module confines a
    /// malformed line to its section; see ConfigParser.parseCollecting).
    public static func parseCollecting(_ text: String, path: String) -> (entries: [INIEntry], errors: [LineError]) {
        var entries: [INIEntry] = []
        var errors: [LineError] = []
        var section = ""
        // After a malformed section header nobody knows which section the next lines are in.
        var sectionKnown = true
        var lineNo = 0
        for rawLine in lines(text) {
            lineNo += 1
            let line = rawLine.trimmingSpaces()
            func fail(_ problem: String, key: String? = nil, wholeFile: Bool = false) {
                let s: String? = wholeFile || !sectionKnown || section.isEmpty ? nil : section
                errors.append(LineError(error: ConfigError(path: path, line: lineNo, key: key, problem: problem), section: s))
            }
            // A NUL would cut a path or URL short once handed to C; an escape or newline-like
            // character could forge a log line. Tabs (and a CR that trim removes) are fine.
            if rawLine.unicodeScalars.contains(where: isControl) {
                fail("contains a control character", wholeFile: line.hasPrefix("["))
                if line.hasPrefix("[") { sectionKnown = false }
                continue
            }
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                let name = line.hasSuffix("]") && line.count >= 2 ? line.dropFirst().dropLast().trimmingSpaces() : ""
                guard !name.isEmpty else {
                    fail("malformed section header", wholeFile: true)
                    sectionKnown = false
                    continue
                }
                section = name.lowercased()
                sectionKnown = true
                continue
            }
            guard let eq = line.firstIndex(of: "=") else {
                fail("expected 'key = value'")
                continue
            }
            let key = line[..<eq].trimmingSpaces().lowercased()
            var value = line[line.index(after: eq)...].trimmingSpaces()
            // A trailing " # comment" is a comment; '#' inside a value needs no space before it.
            if let hash = value.firstRange(of: " #") ?? value.firstRange(of: "\t#") {
                value = value[..<hash.lowerBound].trimmingSpaces()
            }
            guard !key.isEmpty else {
                fail("missing key before '='")
                continue
            }
            guard !section.isEmpty else {
                fail("key outside of any [section]", key: key, wholeFile: true)
                continue
            }
            // Lines after a malformed header belong to no known section: reported above, dropped.
            guard sectionKnown else { continue }
            entries.append(INIEntry(section: section, key: key, value: value, line: lineNo))
        }
        return (entries, errors)
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
}

