import ArgumentParser
import JCFedAdmin
import JCFedCore
import JCFedSystem

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "One screen: IdP, PAM integration, routing, directory, caches, recent logins (--json for scripts).",
        discussion: "Reads only; makes no network request (use 'jcfed idp test'). Exit status 0, or 1 when the configuration is invalid.")

    @OptionGroup var options: GlobalOptions

    @Flag(help: "JSON output (one object), for scripts and monitoring.")
    var json = false

    func run() throws {
        try reading(options) { context in
            let report = StatusReport(context: context, clock: SystemClock())
            if json {
                Terminal.out(report.json().render())
            } else {
                for line in report.lines() { Terminal.out(line) }
            }
            if !report.configValid { throw ExitCode(ExitStatus.failed) }
        }
    }
}
