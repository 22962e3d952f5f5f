import ArgumentParser
import JCFedAdmin
import JCFedCore
import JCFedSystem

struct LoginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logins",
        abstract: "Recent federated logins: time, service, account, UPN, result, reason.",
        discussion: """
            Reads the module's lines from /var/log/auth.log and its rotations (auth.log.1, \
            auth.log.2.gz, ...) where it exists, else from the systemd journal (journalctl, \
            facilities authpriv and auth); under --root, the tree's auth.log or /var/log/journal. \
            --file reads a saved auth.log or 'journalctl -o short-iso' output instead. One row \
            per login, from the module's closing line "auth done: user=... result=... \
            reason=..."; the UPN is that of its "signed in as" line. Reading the logs needs root \
            (or the adm / systemd-journal group). Exit status 0, or 1 when no log can be read.
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("Only logins since then: an age (30m, 2h, 7d) or a local time (2026-12-03, '2026-12-03 10:30').", valueName: "WHEN"))
    var since: String?

    @Option(help: ArgumentHelp("Only logins of this local account.", valueName: "ACCOUNT"))
    var user: String?

    @Option(help: ArgumentHelp("Read this log file (auth.log format or journalctl -o short-iso; .gz too).", valueName: "FILE"))
    var file: String?

    @Option(help: ArgumentHelp("At most this many logins, the newest (default 50; 0 for all).", valueName: "N"))
    var limit: Int = 50

    @Flag(help: "JSON output (an array of objects), for scripts.")
    var json = false

    func run() throws {
        try reading(options) { context in
            let now = SystemClock().wallSeconds()
            var sinceEpoch: Int64?
            if let s = since {
                guard let t = LoginLog.parseSince(s, now: now) else {
                    throw ToolFailure("--since '\(s)': use an age such as 30m, 2h or 7d, or a date such as 2026-12-03 or '2026-12-03 10:30'", status: ExitStatus.usage)
                }
                sinceEpoch = t
            }
            guard limit >= 0 else { throw ToolFailure("--limit must be 0 or more", status: ExitStatus.usage) }
            let source = try LoginSources(context: context).read(file: file, since: sinceEpoch)
            var records = LoginLog.parse(source.lines, now: now)
            if let t = sinceEpoch { records = records.filter { ($0.epoch ?? Int64.max) >= t } }
            if let u = user { records = records.filter { $0.account == u } }
            if limit > 0 && records.count > limit { records = Array(records.suffix(limit)) }
            if json {
                Terminal.out(JSONOutput.array(records.map(LoginsCommand.json)).render())
                return
            }
            if records.isEmpty {
                Terminal.out("no federated logins in \(source.from)" + (since.map { " since \($0)" } ?? "") + (user.map { " for \($0)" } ?? ""))
                return
            }
            for line in LoginsCommand.table(records) { Terminal.out(line) }
        }
    }

    static func json(_ r: LoginRecord) -> JSONOutput {
        .object([("time", .string(r.epoch.map(LoginLog.isoUTC) ?? r.time)), ("service", .string(r.service)),
                 ("account", .string(r.account)), ("upn", .optional(r.upn)), ("result", .string(r.result)),
                 ("reason", .string(r.reason))])
    }

    static func table(_ records: [LoginRecord]) -> [String] {
        let rows = [["TIME", "SERVICE", "ACCOUNT", "UPN", "RESULT", "REASON"]]
            + records.map { [$0.time, $0.service, $0.account, $0.upn ?? "-", $0.result, $0.reason] }
        var widths = [Int](repeating: 0, count: 6)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(widths[i] + 1) }.joined()
        }
    }
}
