import JCFedAdmin
import JCFedCore
#if canImport(Glibc)
import Glibc
#endif

/// Whether sshd can carry a device login: the code is shown only through keyboard-interactive
/// authentication, through PAM, within LoginGraceTime. With `KbdInteractiveAuthentication no`
/// (stock Debian 12) sshd answers the module's prompts with the password the user typed, the
/// code is never seen and the sign-in times out; with `UsePAM no` the module never runs.
///
/// The effective configuration comes from `sshd -T` on the system itself (when it works: it
/// needs the host keys), else from the files: sshd_config and the files it `Include`s, the
/// first value of a keyword winning as in sshd, lines after `Match` not counted. Under --root
/// the files are read inside the tree.
struct SSHDPreflight {
    static let configPath = SSHDConfigSyntax.configPath
    static let binary = "/usr/sbin/sshd"

    typealias Effective = SSHDConfigSyntax.Effective
    typealias Finding = SSHDConfigSyntax.Finding

    let context: ToolContext

    /// The effective configuration; nil when this system has no sshd configuration.
    func effective() -> Effective? {
        if context.isSystemRoot, FileSystem.isExecutable(SSHDPreflight.binary),
           let out = SSHDPreflight.capture(SSHDPreflight.binary, ["-T"]) {
            let values = SSHDConfigSyntax.values(fromTestOutput: out)
            if values["usepam"] != nil { return Effective(values: values, origins: [:], source: "sshd -T") }
        }
        let main = context.host(SSHDPreflight.configPath)
        guard FileSystem.exists(main) else { return nil }
        var effective = Effective(values: [:], origins: [:], source: SSHDPreflight.configPath)
        read(SSHDPreflight.configPath, into: &effective, depth: 0)
        return effective
    }

    private func read(_ targetPath: String, into e: inout Effective, depth: Int) {
        let path = context.host(targetPath)
        // Under --root a symbolic link could lead out of the tree: not followed (sshd would).
        guard depth < 16, context.isSystemRoot || (FileSystem.info(path)?.isRegular ?? false),
              let text = FileSystem.readText(path, maxBytes: 1 << 20) else { return }
        for (index, raw) in text.splitLines().lines.enumerated() {
            let words = SSHDConfigSyntax.words(raw)
            guard let first = words.first else { continue }
            let key = SSHDConfigSyntax.keyword(first)
            if key == "match" { return }  // conditional from here on: not what sshd -T shows either
            if key == "include" {
                for pattern in words.dropFirst() {
                    let full = pattern.hasPrefix("/") ? pattern : "/etc/ssh/" + pattern
                    for file in expand(full) { read(file, into: &e, depth: depth + 1) }
                }
                continue
            }
            guard words.count > 1, e.values[key] == nil else { continue }
            e.values[key] = words.dropFirst().joined(separator: " ")
            e.origins[key] = "\(targetPath):\(index + 1)"
        }
    }

    /// A glob in the last component only (sshd_config.d/*.conf), sorted as glob(3) does.
    private func expand(_ targetPath: String) -> [String] {
        let dir = FileSystem.directoryName(targetPath)
        let pattern = FileSystem.baseName(targetPath)
        guard pattern.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) else { return [targetPath] }
        let hostDir = context.hostDirectory(dir)
        return FileSystem.list(hostDir).filter { name in
            !name.hasPrefix(".") && fnmatch(pattern, name, 0) == 0
        }.map { dir + "/" + $0 }
    }

    /// What stands between sshd and a device login, given login_timeout.
    func findings(loginTimeout: Int) -> (source: String, findings: [Finding])? {
        guard let e = effective() else { return nil }
        return (e.source, SSHDConfigSyntax.findings(e, loginTimeout: loginTimeout))
    }

    /// One line for `jcfed status`; nil when there is no sshd configuration.
    func statusText(loginTimeout: Int) -> String? {
        guard let r = findings(loginTimeout: loginTimeout) else { return nil }
        if r.findings.isEmpty { return "ready for device logins (keyboard-interactive and PAM on; \(r.source))" }
        return r.findings.map { ($0.fatal ? "NOT READY: " : "warning: ") + $0.text }.joined(separator: "; ")
    }

    /// Lines for `jcfed idp test` (only problems): a problem fails the test when sshd is enabled (its logins
    /// are broken now), and is a warning otherwise (enable will refuse).
    func checkLines(loginTimeout: Int, sshdEnabled: Bool) -> [IdPChecks.Line] {
        // Silent when sshd is fine (or absent): the IdP checks stay the last lines.
        guard let r = findings(loginTimeout: loginTimeout) else { return [] }
        return r.findings.map { f in
            IdPChecks.Line(status: f.fatal && sshdEnabled ? .fail : .warn, text: f.text,
                           hint: f.fatal && !sshdEnabled ? "'jcfed enable' refuses sshd until this is fixed" : nil)
        }
    }

    /// `sshd -T`'s standard output when it exits 0, through Subprocess.capture (the tool's fixed
    /// environment; at most 1 MB, more counts as no answer and the files are read instead).
    static func capture(_ path: String, _ arguments: [String]) -> String? {
        guard let result = Subprocess.capture(path, arguments, maxBytes: 1 << 20), result.status == 0 else { return nil }
        return String(decoding: result.output, as: UTF8.self)
    }
}
