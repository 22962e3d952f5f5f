import JCFedAdmin
import JCFedCore

/// Where `jcfed logins` and `jcfed status` find the module's log lines:
/// 1. `--file FILE`: an auth.log (rotated and .gz too) or saved `journalctl -o short-iso` output;
/// 2. /var/log/auth.log (under --root) where it exists (rsyslog), with its rotations
///    auth.log.N and auth.log.N.gz, oldest first;
/// 3. else the systemd journal: `journalctl` (the authpriv and auth facilities); under --root the
///    tree's /var/log/journal when it has one.
struct LoginSources {
    let context: ToolContext

    struct Read {
        var lines: [String]
        var from: String
    }

    static let gzip = ["/usr/bin/gzip", "/bin/gzip"]
    static let journalctl = ["/usr/bin/journalctl", "/bin/journalctl"]

    func read(file: String?, since: Int64?) throws -> Read {
        if let file = file {
            let path = FileSystem.absolute(file)
            guard FileSystem.exists(path) else { throw ToolFailure("--file \(file): no such file") }
            return Read(lines: try LoginSources.text(path).splitLines().lines, from: path)
        }
        let authLog = context.host(ToolContext.authLog)
        let files = LoginSources.rotations(of: authLog)
        if !files.isEmpty {
            var lines: [String] = []
            for f in files { lines += (try LoginSources.text(f)).splitLines().lines }
            return Read(lines: lines, from: files.count == 1 ? authLog : "\(authLog) (+\(files.count - 1) rotated)")
        }
        guard let journalctl = LoginSources.journalctl.first(where: FileSystem.isExecutable) else {
            throw ToolFailure("no log to read: \(authLog) does not exist and journalctl is not installed")
        }
        var args = ["-q", "--no-pager", "-o", "short-iso", "SYSLOG_FACILITY=10", "SYSLOG_FACILITY=4"]
        var from = "the systemd journal"
        if !context.isSystemRoot {
            let dir = context.hostDirectory("/var/log/journal")
            guard FileSystem.info(dir)?.isDirectory ?? false else {
                throw ToolFailure("no log to read under --root \(context.root): neither \(authLog) nor \(dir) exists (use --file)")
            }
            args.append("--directory=" + dir)
            from += " in \(dir)"
        }
        if let since = since { args.append("--since=@\(since)") }
        guard let result = Subprocess.capture(journalctl, args), result.status == 0 || !result.output.isEmpty else {
            throw ToolFailure("\(journalctl) failed: run it as root (or a member of adm or systemd-journal)")
        }
        return Read(lines: String(decoding: result.output, as: UTF8.self).splitLines().lines, from: from)
    }

    /// auth.log and its rotations that exist, oldest first: auth.log.N(.gz) by falling N, then auth.log.
    static func rotations(of log: String) -> [String] {
        let dir = FileSystem.directoryName(log)
        let base = FileSystem.baseName(log)
        var rotated: [(Int, String)] = []
        for name in FileSystem.list(dir) where name.hasPrefix(base + ".") {
            var suffix = name.dropFirst(base.count + 1)
            if suffix.hasSuffix(".gz") { suffix = suffix.dropLast(3) }
            if let n = Int(suffix), n >= 0 { rotated.append((n, dir + "/" + name)) }
        }
        var out = rotated.sorted { $0.0 > $1.0 }.map { $0.1 }.filter { FileSystem.info($0)?.isRegular ?? false }
        if FileSystem.info(log)?.isRegular ?? false { out.append(log) }
        return out
    }

    /// A log file's text; .gz files through gzip -dc (the fixed environment of Subprocess).
    static func text(_ path: String) throws -> String {
        if path.hasSuffix(".gz") {
            guard let gz = gzip.first(where: FileSystem.isExecutable) else { throw ToolFailure("\(path): gzip is not installed") }
            guard let r = Subprocess.capture(gz, ["-dc", "--", path]), r.status == 0 else {
                throw ToolFailure("\(path): cannot be decompressed")
            }
            return String(decoding: r.output, as: UTF8.self)
        }
        guard let text = FileSystem.readText(path, maxBytes: 256 << 20) else {
            throw ToolFailure("\(path): cannot be read: \(FileSystem.errorText())")
        }
        return text
    }
}
