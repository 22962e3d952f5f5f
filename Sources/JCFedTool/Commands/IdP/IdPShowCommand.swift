import ArgumentParser
import JCFedAdmin
import JCFedCore

struct IdPShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show the configured identity provider (never the secret).",
        discussion: "The client secret is shown only as set (with its file's mode) or unset.")

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() throws {
        try reading(options) { context in
            let store = ConfigStore(context: context)
            let doc = try store.requireDocument()
            guard ConfigStore.hasIdP(doc) else { throw ToolFailure("no identity provider is configured") }
            let config: JCFedConfig
            switch store.parse(doc) {
            case .success(let r): config = r.config
            case .failure(let e): throw ToolFailure("configuration is invalid: \(e.description)")
            }
            let summary = IdPSummary(config.idp, context: context)
            if json {
                Terminal.out(summary.json(configPath: store.hostPath).render())
            } else {
                for line in summary.lines(configPath: store.hostPath) { Terminal.out(line) }
            }
        }
    }
}
