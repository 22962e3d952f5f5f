import JCFedCore

/// An editable jcfed.conf that keeps everything the admin wrote: comments, blank lines, key
/// spelling and order, unknown keys and sections, trailing `# comments` on a value line.
/// Edits touch one line each (or add one); everything else is written back byte for byte.
///
/// The syntax is the core's INIFile (`[section]`, `key = value`, `#`/`;` comments, a value's
/// trailing ` # comment`), read line by line through its one tokenizer; the meaning of keys is
/// checked by ConfigParser before any write.
package struct INIDocument: Equatable {
    package private(set) var lines: [String]
    /// "\n", or "\r\n" for a file written that way (kept on every line when written back).
    private let ending: String

    package init(text: String) {
        (lines, ending) = text.splitLines()
    }

    /// The document; always ends with a line end.
    package var text: String { lines.isEmpty ? "" : lines.joined(separator: ending) + ending }

    // MARK: reading

    /// What a line is, read by the module's own tokenizer (INIFile.classify), so the document
    /// and the module cannot disagree on a line.
    package static func classify(_ line: String) -> INILine {
        INIFile.classify(line)
    }

    /// (line index, section) of every line, with the section each line belongs to.
    private func sections() -> [(index: Int, section: String, kind: INILine)] {
        var current = ""
        var out: [(Int, String, INILine)] = []
        for (i, line) in lines.enumerated() {
            let kind = INIDocument.classify(line)
            if case .header(let name) = kind { current = name }
            out.append((i, current, kind))
        }
        return out
    }

    private func entryIndex(_ section: String, _ key: String) -> Int? {
        for (i, s, kind) in sections() {
            if case .entry(let k, _) = kind, s == section, k == key { return i }
        }
        return nil
    }

    package func value(_ section: String, _ key: String) -> String? {
        guard let i = entryIndex(section, key), case .entry(_, let v) = INIDocument.classify(lines[i]) else { return nil }
        return v
    }

    package func hasSection(_ section: String) -> Bool {
        sections().contains { if case .header(let n) = $0.kind { return n == section } else { return false } }
    }

    /// True when at least one `key = value` line exists (in any section).
    package var hasEntries: Bool {
        lines.contains { if case .entry = INIDocument.classify($0) { return true } else { return false } }
    }

    // MARK: editing

    /// Why a value cannot be written as one INI line that reads back the same.
    package static func problem(writing value: String) -> String? {
        if value.contains(where: { $0 == "\n" || $0 == "\r" }) { return "must be a single line" }
        if value.contains(" #") || value.contains("\t#") { return "must not contain ' #' (it would start a comment)" }
        if value != value.trimmingSpaces() { return "must not start or end with spaces" }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7f }) {
            return "must not contain control characters"
        }
        return nil
    }

    /// Sets `section.key` to `value`: in place when the key exists (keeping its indentation,
    /// spelling and trailing comment), else as a new line after the section's last entry, else
    /// in a new section at the end.
    package mutating func set(_ section: String, _ key: String, _ value: String) {
        let map = sections()
        if let i = entryIndex(section, key) {
            let line = lines[i]
            guard let eq = line.firstIndex(of: "=") else { return }
            let afterEq = line[line.index(after: eq)...]
            let spacing = String(afterEq.prefix(while: { $0 == " " || $0 == "\t" }))
            let (_, comment) = INIFile.splitValue(afterEq)
            let head = String(line[...eq])
            // An empty value drops the trailing comment: "key = # note" would read as the value "# note".
            lines[i] = value.isEmpty ? head : head + (spacing.isEmpty ? " " : spacing) + value + comment
            return
        }
        let newLine = "\(key) = \(value)"
        // A commented default ("#key = default", as in the installed example file) keeps its
        // place and its explanation: the new line goes right below it.
        if let template = map.first(where: { $0.section == section && INIDocument.isCommentedTemplate(lines[$0.index], key: key) }) {
            lines.insert(newLine, at: template.index + 1)
            return
        }
        // Last header of this section, and the last entry after it.
        var headerIndex: Int?
        var lastEntry: Int?
        for (i, s, kind) in map where s == section {
            switch kind {
            case .header: headerIndex = i; lastEntry = nil
            case .entry: lastEntry = i
            default: break
            }
        }
        if let at = lastEntry ?? headerIndex {
            lines.insert(newLine, at: at + 1)
            return
        }
        if let last = lines.last, !last.trimmingSpaces().isEmpty { lines.append("") }
        lines.append("[\(section)]")
        lines.append(newLine)
    }

    /// `#key = ...` or `; key=...`: a commented-out setting of `key`.
    package static func isCommentedTemplate(_ line: String, key: String) -> Bool {
        var t = Substring(line.trimmingSpaces())
        guard let first = t.first, first == "#" || first == ";" else { return false }
        t = t.dropFirst()
        while let f = t.first, f == " " || f == "\t" { t = t.dropFirst() }
        guard t.lowercased().hasPrefix(key) else { return false }
        t = t.dropFirst(key.count)
        while let f = t.first, f == " " || f == "\t" { t = t.dropFirst() }
        return t.first == "="
    }

    /// Removes `section.key` (every occurrence); true when something was removed.
    @discardableResult
    package mutating func remove(_ section: String, _ key: String) -> Bool {
        var removed = false
        while let i = entryIndex(section, key) {
            lines.remove(at: i)
            removed = true
        }
        return removed
    }

    /// Removes every `[section]` block: its header, entries and the comments inside it, up to
    /// the next header. Comments above the header belong to the block before and are kept.
    package mutating func removeSection(_ section: String) {
        let map = sections()
        let drop = Set(map.filter { $0.section == section }.map { $0.index })
        guard !drop.isEmpty else { return }
        lines = lines.enumerated().filter { !drop.contains($0.offset) }.map { $0.element }
        // Collapse runs of blank lines left behind, and trailing blanks.
        var tidy: [String] = []
        for line in lines {
            if line.trimmingSpaces().isEmpty, let last = tidy.last, last.trimmingSpaces().isEmpty { continue }
            tidy.append(line)
        }
        while let last = tidy.last, last.trimmingSpaces().isEmpty { tidy.removeLast() }
        lines = tidy
    }
}
