import ArgumentParser
import JCFedAdmin
import JCFedCore
import JCFedSystem
#if canImport(Glibc)
import Glibc
#endif

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check jcfed.conf (and the secret file) exactly as the PAM module does.",
        discussion: "Prints 'PATH: OK', or the precise error lines: file, line, key, problem. Unknown keys (a typo such as '[routing] group') and a missing ca_file are errors here, though the module only logs and ignores an unknown key. Exit status 0 or 1.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The file to check. Default: --config, else /etc/jcfed/jcfed.conf under --root.", valueName: "PATH"))
    var path: String?

    func run() throws {
        try reading(options) { context in
            let file = path.map(FileSystem.absolute) ?? context.configHostPath
            switch ConfigLoader.load(path: file, storage: SystemStorage(owner: context.configOwner), hostPrefix: context.isSystemRoot ? "" : context.root) {
            case .success(let loaded):
                // The module logs unknown keys and goes on; for the admin they are errors (a typo
                // such as `[routing] group` would leave the setting at its default).
                var errors = UnknownKeys.errors(loaded.warnings)
                if let ca = loaded.config.idp.caFile {
                    // Followed like libcurl follows it (under --root, inside the tree).
                    var st = stat()
                    let host = context.isSystemRoot ? ca : context.hostDirectory(ca)
                    if stat(host, &st) != 0 || UInt32(st.st_mode) & UInt32(S_IFMT) != UInt32(S_IFREG) {
                        errors.append("\(file): idp.ca_file: \(ca) does not exist (every login would fail TLS verification)")
                    }
                }
                if !errors.isEmpty {
                    for e in errors { Terminal.out("error: \(e)") }
                    throw ExitCode(ExitStatus.failed)
                }
                Terminal.out("\(file): OK")
            case .failure(let e):
                Terminal.out("error: \(e)")
                throw ExitCode(ExitStatus.failed)
            }
        }
    }
}
