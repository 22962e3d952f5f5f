/// What `jcfed enable` needs to know of sshd's configuration, read the way sshd reads it: the
/// words of a sshd_config line, the output of `sshd -T`, the time format, and what stands between
/// sshd and a device login. The files themselves are found and read by the tool (SSHDPreflight).
package enum SSHDConfigSyntax {
    /// LoginGraceTime must leave this much beyond login_timeout for the last poll and the session.
    package static let graceMargin = 10
    package static let configPath = "/etc/ssh/sshd_config"

    /// The effective settings: lowercased keyword -> first value, with where each came from.
    package struct Effective {
        package var values: [String: String]
        /// Where each value came from (file:line), when read from the files.
        package var origins: [String: String]
        /// "sshd -T" or the main file's path.
        package var source: String

        package init(values: [String: String], origins: [String: String], source: String) {
            self.values = values
            self.origins = origins
            self.source = source
        }
    }

    package struct Finding: Equatable {
        package var fatal: Bool
        package var text: String
    }

    /// The words of a sshd_config line: split at blanks and `=`, up to a word that starts a comment.
    package static func words(_ line: String) -> [String] {
        var words: [String] = []
        for w in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "=" }) {
            if w.hasPrefix("#") { break }
            words.append(String(w))
        }
        return words
    }

    /// The keyword a line sets, lowercased; ChallengeResponseAuthentication is the old name of
    /// KbdInteractiveAuthentication.
    package static func keyword(_ word: String) -> String {
        let key = word.lowercased()
        return key == "challengeresponseauthentication" ? "kbdinteractiveauthentication" : key
    }

    /// `sshd -T` output (one "keyword value" per line): keyword -> first value.
    package static func values(fromTestOutput output: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in output.splitLines().lines {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2, values[parts[0]] == nil { values[parts[0]] = parts[1] }
        }
        return values
    }

    /// sshd's time format: 120, 2m, 1h30m (s, m, h, d, w).
    package static func seconds(_ text: String) -> Int? {
        var total = 0
        var number: Int?
        for c in text.lowercased() {
            if let d = c.wholeNumberValue, c.isASCII {
                number = (number ?? 0) * 10 + d
                if (number ?? 0) > 1_000_000_000 { return nil }
                continue
            }
            guard let n = number else { return nil }
            let unit: Int
            switch c {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            case "w": unit = 604800
            default: return nil
            }
            total += n * unit
            number = nil
        }
        if let n = number { total += n }
        return text.isEmpty ? nil : total
    }

    /// What stands between sshd and a device login, given login_timeout.
    package static func findings(_ e: Effective, loginTimeout: Int) -> [Finding] {
        var out: [Finding] = []
        func origin(_ key: String) -> String { e.origins[key].map { " (\($0))" } ?? "" }
        let kbd = (e.values["kbdinteractiveauthentication"] ?? "yes").lowercased()
        if kbd != "yes" {
            out.append(Finding(fatal: true, text: "sshd has keyboard-interactive authentication off (KbdInteractiveAuthentication \(kbd)\(origin("kbdinteractiveauthentication"))): the code cannot be shown. Set 'KbdInteractiveAuthentication yes' in \(configPath) (or a file in /etc/ssh/sshd_config.d/ read before it) and reload sshd"))
        }
        let pam = (e.values["usepam"] ?? "no").lowercased()
        if pam != "yes" {
            out.append(Finding(fatal: true, text: "sshd does not use PAM (UsePAM \(pam)\(origin("usepam"))): pam_jcfed.so never runs. Set 'UsePAM yes' in \(configPath) and reload sshd"))
        }
        let wanted = loginTimeout + graceMargin
        if let grace = seconds(e.values["logingracetime"] ?? "120"), grace != 0, grace < wanted {
            out.append(Finding(fatal: false, text: "sshd's LoginGraceTime is \(grace) s\(origin("logingracetime")), less than login_timeout (\(loginTimeout) s) plus \(graceMargin) s: sshd may cut a sign-in short. Set 'LoginGraceTime \(wanted)' or more (0 = unlimited)"))
        }
        return out
    }
}
