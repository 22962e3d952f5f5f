/// Asks the admin to type a phrase before a change that affects logins. `--yes` skips the
/// question (scripts); at end of input (no terminal, nothing piped) the answer is "no".
enum Confirmation {
    static func require(phrase: String, question: String, assumeYes: Bool) throws {
        if assumeYes { return }
        Terminal.write("\(question)\nType \"\(phrase)\" to continue: ")
        guard let answer = Terminal.readLine() else {
            Terminal.write("\n")
            throw ToolFailure.refused("not confirmed (no answer on standard input); use --yes in scripts")
        }
        // A piped answer is not echoed: end the prompt's line.
        if !Terminal.stdinIsTerminal { Terminal.write("\n") }
        let trimmed = answer.trimmingSpaces()
        guard trimmed.lowercased() == phrase.lowercased() else {
            throw ToolFailure.refused("not confirmed; nothing was changed")
        }
    }
}

extension String {
    /// Without leading and trailing blanks and line ends ("\r\n" is one Character in Swift).
    func trimmingSpaces() -> String {
        func blank(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\r" || c == "\n" || c == "\r\n" }
        var s = Substring(self)
        while let f = s.first, blank(f) { s = s.dropFirst() }
        while let l = s.last, blank(l) { s = s.dropLast() }
        return String(s)
    }

    /// Lines split on "\n" and "\r\n" (as the core's INIFile reads them), without a final empty
    /// line for a trailing line end; and the line end to write them back with.
    func splitLines() -> (lines: [String], ending: String) {
        var lines = split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return (lines, contains("\r\n") ? "\r\n" : "\n")
    }
}
