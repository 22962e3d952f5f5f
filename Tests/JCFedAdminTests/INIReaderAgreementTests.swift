import Testing
import JCFedAdmin
import JCFedCore

/// One INI reader: the module's INIFile.parse and the tool's INIDocument read every line through
/// INIFile.classify. These tests pin what that tokenizer says about tricky lines, and that the
/// document finds exactly the values the module parses.
@Suite struct INIReaderAgreementTests {
    static let lines: [(String, INILine)] = [
        ("", .blank),
        ("   \t ", .blank),
        ("# comment = not a key", .blank),
        ("  ; semicolon comment", .blank),
        ("[idp]", .header("idp")),
        ("  [ IdP ]  ", .header("idp")),
        ("[]", .malformed(problem: "malformed section header", header: true)),
        ("[  ]", .malformed(problem: "malformed section header", header: true)),
        ("[idp", .malformed(problem: "malformed section header", header: true)),
        ("key = value", .entry(key: "key", value: "value")),
        ("KEY=value", .entry(key: "key", value: "value")),
        ("\tkey\t=\tvalue\t", .entry(key: "key", value: "value")),
        ("key = value # comment", .entry(key: "key", value: "value")),
        ("key = value\t# tab comment", .entry(key: "key", value: "value")),
        ("key = a#b", .entry(key: "key", value: "a#b")),
        ("key = value ; not a comment", .entry(key: "key", value: "value ; not a comment")),
        ("key = # note", .entry(key: "key", value: "# note")),
        ("key =", .entry(key: "key", value: "")),
        ("key = a = b", .entry(key: "key", value: "a = b")),
        ("key = \"quoted # value\"", .entry(key: "key", value: "\"quoted")),
        ("groups = \"Linux Admins\" ops", .entry(key: "groups", value: "\"Linux Admins\" ops")),
        ("key = value\r", .entry(key: "key", value: "value")),
        ("key = continued \\", .entry(key: "key", value: "continued \\")),
        ("= value", .malformed(problem: "missing key before '='", header: false)),
        ("no equals sign", .malformed(problem: "expected 'key = value'", header: false)),
        ("\u{FEFF}[idp]", .malformed(problem: "expected 'key = value'", header: false)),
        ("\u{FEFF}key = v", .entry(key: "\u{FEFF}key", value: "v")),
        ("key = a\u{0}b", .malformed(problem: "contains a control character", header: false)),
        ("# comment with escape \u{1B}[31m", .malformed(problem: "contains a control character", header: false)),
        ("[idp\u{7F}]", .malformed(problem: "contains a control character", header: true)),
        ("key = \u{85}next line", .malformed(problem: "contains a control character", header: false)),
    ]

    @Test("The module's tokenizer and the document's agree on every tricky line", arguments: 0..<lines.count)
    func line(_ i: Int) {
        let (text, expected) = Self.lines[i]
        #expect(INIFile.classify(text) == expected, "\(text.debugDescription)")
        #expect(INIDocument.classify(text) == INIFile.classify(text), "\(text.debugDescription)")
    }

    static let files: [String] = [
        "[idp]\nurl = https://x\n[IDP]\nname = second header of the same section\n",
        "[idp]\r\nurl = https://x # c\r\nclient_id=abc\r\n",
        "[a]\nk = 1\nk = 2\n[b]\nk = 3\n",
        "[a]\nk = 1\n[broken\nk = 2\n[b]\nj = 3\n",
        "top = outside\n[a]\nk = v\n",
        "\u{FEFF}[a]\nk = v\n[b]\nk = w\n",
        "[a]\nk = v \\\n  continued\n",
        "[a]\n\n; c\n  # c\nk=\"q # not\"   # c\n",
    ]

    @Test("The document finds the value the module parses for every entry", arguments: 0..<files.count)
    func file(_ i: Int) {
        let text = Self.files[i]
        let doc = INIDocument(text: text)
        let parsed = INIFile.parseCollecting(text, path: "/etc/jcfed/jcfed.conf")
        var seen = Set<String>()
        for e in parsed.entries where seen.insert(e.section + "." + e.key).inserted {
            #expect(doc.value(e.section, e.key) == e.value, "\(e.section).\(e.key) in \(text.debugDescription)")
        }
        // Every line the module refuses is one the document cannot read as an entry or header.
        let docLines = INIFile.lines(text)
        for error in parsed.errors {
            guard let n = error.error.line, n >= 1, n <= docLines.count else { continue }
            if case .malformed = INIDocument.classify(String(docLines[n - 1])) { continue }
            // The only contextual error: a key before any section.
            #expect(error.error.problem == "key outside of any [section]", "line \(n) of \(text.debugDescription)")
        }
    }
}
