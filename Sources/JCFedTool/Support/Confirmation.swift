import JCFedAdmin
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
            throw ToolFailure.refused("not confirmed: the answer must be exactly \"\(phrase)\"; nothing was changed")
        }
    }
}
