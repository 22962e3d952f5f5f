/// The INI syntax of jcfed.conf: `# comment` (and `;`), `[section]`, `key = value`.
/// Kept separate from the meaning of keys so the admin tool can rewrite a file while keeping
/// comments and unknown keys: the module's parse and the tool's lossless INIDocument (JCFedAdmin)
/// read every line through `INIFile.classify`, so the two cannot disagree on what a line says.
public struct INIEntry: Sendable, Equatable {
    public var section: String
    public var key: String
    public var value: String
    public var line: Int
}

/// What one line of jcfed.conf is, before any meaning is given to its keys.
public enum INILine: Sendable, Equatable {
    /// Empty, or a `#` / `;` comment.
    case blank
    /// `[name]`: the name trimmed and lowercased.
    case header(String)
    /// `key = value`: the key trimmed and lowercased (never empty), the value trimmed and
    /// without a trailing ` # comment`.
    case entry(key: String, value: String)
    /// A line the module refuses, with its one-line problem; `header` when it looked like a
    /// section header (so no later line can be placed in a known section).
    case malformed(problem: String, header: Bool)
}

public enum INIFile {
    /// The one tokenizer of the INI syntax (see INILine).
    public static func classify<S: StringProtocol>(_ rawLine: S) -> INILine {
        classifyASCII(rawLine) ?? classifyCharacters(rawLine)
    }

    /// `classify` Character by Character: any line, whatever its script.
    static func classifyCharacters<S: StringProtocol>(_ rawLine: S) -> INILine {
        let line = rawLine.trimmingSpaces()
        // A NUL would cut a path or URL short once handed to C; an escape or newline-like
        // character could forge a log line. Tabs (and a CR that trim removes) are fine.
        if rawLine.unicodeScalars.contains(where: isControl) {
            return .malformed(problem: "contains a control character", header: line.startsWithASCII("["))
        }
        if line.isEmpty || line.startsWithASCII("#") || line.startsWithASCII(";") { return .blank }
        if line.startsWithASCII("[") {
            let name = line.hasSuffix("]") && line.count >= 2 ? (line.dropFirst().dropLast()).trimmingSpaces() : ""
            guard !name.isEmpty else { return .malformed(problem: "malformed section header", header: true) }
            return .header(name.lowercased())
        }
        guard let eq = line.firstIndex(of: "=") else { return .malformed(problem: "expected 'key = value'", header: false) }
        let key = (line[..<eq]).trimmingSpaces().lowercased()
        guard !key.isEmpty else { return .malformed(problem: "missing key before '='", header: false) }
        return .entry(key: key, value: splitValue(line[line.index(after: eq)...]).value)
    }

    /// The value after `=` and its trailing comment: a ` #` (or tab and `#`) starts a comment,
    /// a `#` inside a value needs no escape. The comment keeps the blanks before it, so an editor
    /// writing a new value puts it back at the same column.
    public static func splitValue<S: StringProtocol>(_ afterEquals: S) -> (value: String, comment: String) {
        // Trimmed first: "key = # note" reads as the value "# note".
        let raw = afterEquals.trimmingSpaces()
        guard let hash = firstPair(raw, " ", "#") ?? firstPair(raw, "\t", "#") else { return (raw, "") }
        var start = hash
        while start > raw.startIndex {
            let before = raw.index(before: start)
            guard raw[before] == " " || raw[before] == "\t" else { break }
            start = before
        }
        return ((raw[..<start]).trimmingSpaces(), String(raw[start...]))
    }

    /// Where the Character `a` is first followed by the Character `b` (what `firstRange(of:)`
    /// finds for a two-Character pattern, without the generic string-search machinery, whose
    /// first use in a fresh process costs more than parsing the whole file).
    static func firstPair(_ s: String, _ a: Character, _ b: Character) -> String.Index? {
        // Most values hold no `b` at all: one byte scan says so without walking Characters.
        if let ascii = b.asciiValue, !s.utf8.contains(ascii) { return nil }
        var i = s.startIndex
        while i < s.endIndex {
            let next = s.index(after: i)
            if s[i] == a, next < s.endIndex, s[next] == b { return i }
            i = next
        }
        return nil
    }

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
            func fail(_ problem: String, key: String? = nil, wholeFile: Bool = false) {
                let s: String? = wholeFile || !sectionKnown || section.isEmpty ? nil : section
                errors.append(LineError(error: ConfigError(path: path, line: lineNo, key: key, problem: problem), section: s))
            }
            switch classify(rawLine) {
            case .blank:
                continue
            case .malformed(let problem, let header):
                fail(problem, wholeFile: header)
                if header { sectionKnown = false }
            case .header(let name):
                section = name
                sectionKnown = true
            case .entry(let key, let value):
                guard !section.isEmpty else {
                    fail("key outside of any [section]", key: key, wholeFile: true)
                    continue
                }
                // Lines after a malformed header belong to no known section: reported above, dropped.
                guard sectionKnown else { continue }
                entries.append(INIEntry(section: section, key: key, value: value, line: lineNo))
            }
        }
        return (entries, errors)
    }

    /// Splits text into lines at LF or CRLF. Swift treats "\r\n" as one Character, so splitting
    /// on "\n" alone would leave a CRLF file (edited on Windows) as a single line. Split on the
    /// UTF-8 bytes (a LF is always its own grapheme, except in CRLF, whose CR is dropped here):
    /// the same lines as a Character-wise split, which is the costliest step of a parse otherwise.
    public static func lines(_ text: String) -> [Substring] {
        let pieces = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false)
        return pieces.indices.map { i in
            let piece = pieces[i]
            let endsInCRLF = i < pieces.count - 1 && piece.last == 0x0D
            return Substring(endsInCRLF ? piece.dropLast() : piece)
        }
    }

    static func isControl(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        return (v < 0x20 && v != 0x09 && v != 0x0D) || (v >= 0x7F && v <= 0x9F)
    }
}

