import ArgumentParser
import JCFedCore

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check jcfed.conf (and the secret file) exactly as the PAM module does.",
        discussion: "Prints 'PATH: OK' (and warnings for unknown keys), or the precise error line: file, line, key, problem. Exit status 0 or 1.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The file to check. Default: --config, else /etc/jcfed/jcfed.conf under --root.", valueName: "PATH"))
    var path: String?

    func run() throws {
        try guarded {
            let context = try options.context()
            let file = path.map(FileSystem.absolute) ?? context.configHostPath
            switch ConfigLoader.load(path: file, owner: context.configOwner, hostPrefix: context.isSystemRoot ? "" : context.root) {
            case .success(let loaded):
                for w in loaded.warnings { Terminal.out("warning: \(w)") }
                Terminal.out("\(file): OK")
            case .failure(let e):
                Terminal.out("error: \(e)")
                throw ExitCode(ExitStatus.failed)
            }
        }
    }
}
