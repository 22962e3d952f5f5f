import ArgumentParser

// PLACEHOLDERS: the real `DirectoryCommand` and `PinsCommand` come from another branch
// (Commands/DirectoryCommand.swift, Commands/PinsCommand.swift). Delete this file at merge.

struct DirectoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory", abstract: "Sync or show the JumpCloud user directory (not in this build yet).")
    func run() throws {
        Terminal.err("jcfed: 'directory' is not in this build yet")
        throw ExitCode(ExitStatus.failed)
    }
}

struct PinsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pins", abstract: "List or reset identity pins (not in this build yet).")
    func run() throws {
        Terminal.err("jcfed: 'pins' is not in this build yet")
        throw ExitCode(ExitStatus.failed)
    }
}
