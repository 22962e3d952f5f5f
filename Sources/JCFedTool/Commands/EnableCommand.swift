import ArgumentParser
import JCFedAdmin
import JCFedCore

struct EnableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Turn on federated device authentication in PAM.",
        discussion: """
            Without --services, system-wide: on Debian and Ubuntu the pam-auth-update profile \
            /usr/share/pam-configs/jcfed is written for the offline policy and enabled \
            (pam-auth-update --package --enable jcfed), which adds pam_jcfed.so ahead of \
            pam_unix.so in common-auth and an account check to common-account. On systems \
            without pam-auth-update nothing is changed: the lines to add are printed (exit 3).

            With --services sshd,login only /etc/pam.d/<service> of each is edited: the lines \
            go in just before '@include common-auth' (or the pam_unix.so auth line) and before \
            the first account line, each below the comment "# jcfed: added by jcfed enable". \
            The original is kept in /var/lib/jcfed/pam.d-backup/ and 'jcfed disable' restores \
            it. Keeping sudo and su on local passwords is the usual choice.

            --offline local-password (default): when the IdP cannot be reached, routed users log \
            in with their local password (the device password JumpCloud keeps in sync). \
            --offline deny: routed users cannot log in without the IdP. \
            In both, a failed federated sign-in (declined, wrong user, bad token) never falls \
            through to the password, and root and users below min_uid always use pam_unix.

            --add SERVICE / --remove SERVICE change one service of the per-service list without \
            restating it. --dry-run prints the unified diff of every file enable would change \
            (pam-auth-update's result is computed on a private copy) and changes nothing.

            Before any change: the configuration is loaded, the IdP checks of 'jcfed idp test' \
            must pass, pam_jcfed.so must be installed, every resulting stack must still reach \
            pam_unix.so for root, and when sshd is included (or system-wide) sshd's effective \
            configuration must have KbdInteractiveAuthentication yes and UsePAM yes (--force \
            overrides, with a warning); a LoginGraceTime below login_timeout + 10 s is warned \
            about. The confirmation lists the services added, kept and removed and what the \
            change breaks (sudo -S, Ansible become; later auth modules of a service; \
            system-wide reach). The change is one transaction: a lock is held, the files are \
            re-read before writing (a file changed meanwhile aborts with nothing changed), the \
            new mode is enabled and verified before the old one is removed, and any failure \
            restores every file touched. The policy and services are recorded in [pam].
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("Only these PAM services (comma-separated), e.g. sshd,login.", valueName: "LIST"))
    var services: String?

    @Option(name: .customLong("add"), help: ArgumentHelp("Add this service to the services enabled now (repeatable).", valueName: "SERVICE"))
    var add: [String] = []

    @Option(name: .customLong("remove"), help: ArgumentHelp("Remove this service from the services enabled now (repeatable).", valueName: "SERVICE"))
    var remove: [String] = []

    @Option(help: ArgumentHelp("What routed users get when the IdP is unreachable: local-password or deny. Default: [pam] offline, else local-password.",
                               valueName: "local-password|deny"))
    var offline: String?

    @Flag(name: .customLong("dry-run"), help: "Print the diff of every file that would change; change nothing.")
    var dryRun = false

    @Flag(help: "Enable even when sshd's configuration cannot show the code, or libcurl/libcrypto cannot be loaded (the problems are still printed).")
    var force = false

    @OptionGroup var confirmation: ConfirmationOptions

    @Flag(name: .customLong("no-idp-check"), help: ArgumentHelp(
        "Skip the network checks of the IdP (for staging an image offline). TLS is still verified at every login.",
        visibility: .default))
    var noIdPCheck = false

    /// Service names from the options, with the list syntax of jcfed.conf's pam.services.
    static func names(_ values: [String]) -> [String] {
        values.flatMap(ConfigKeys.list)
    }

    func run() throws {
        try changing(options) { context, store in
            let loaded = try store.requireLoaded()
            let policy: OfflinePolicy
            if let o = offline {
                guard let p = OfflinePolicy(rawValue: o) else { throw ToolFailure("--offline must be local-password or deny, not '\(o)'", status: ExitStatus.usage) }
                policy = p
            } else {
                policy = loaded.config.pam.offline
            }
            var serviceList = EnableCommand.names(services.map { [$0] } ?? [])
            if services != nil && serviceList.isEmpty { throw ToolFailure("--services needs at least one service name", status: ExitStatus.usage) }
            let adding = EnableCommand.names(add), removing = EnableCommand.names(remove)
            if services != nil && !(adding.isEmpty && removing.isEmpty) {
                throw ToolFailure("--services gives the whole list; --add and --remove change the list enabled now: use one or the other", status: ExitStatus.usage)
            }

            let pam = PAMIntegration(context: context)
            let before = pam.state()
            if !adding.isEmpty || !removing.isEmpty {
                if before.systemWide {
                    throw ToolFailure("--add/--remove change the per-service list, but jcfed is enabled system-wide; use --services LIST to switch to per-service", status: ExitStatus.usage)
                }
                serviceList = before.services
                for s in adding where !serviceList.contains(s) { serviceList.append(s) }
                for s in removing where !before.services.contains(s) { Terminal.out("[WARN] \(s) is not enabled; nothing to remove") }
                serviceList.removeAll { removing.contains($0) }
                if serviceList.isEmpty {
                    throw ToolFailure("--remove would leave no service enabled; use 'jcfed disable' to turn federated authentication off", status: ExitStatus.usage)
                }
            }
            serviceList = serviceList.enumerated().filter { i, s in !serviceList.prefix(i).contains(s) }.map { $0.1 }
            let systemWide = serviceList.isEmpty

            let arguments = PAMLines.moduleArguments(configTargetPath: context.configTargetPath)
            if context.configTargetPath.contains(where: { $0 == " " || $0 == "\t" }) {
                throw ToolFailure("the configuration path must not contain spaces (it goes into the PAM line)")
            }
            // Systems without pam-auth-update: say exactly what to add, change nothing.
            if systemWide && !pam.authUpdate.isAvailable {
                for line in PAMIntegration.manualInstructions(policy: policy, arguments: arguments) { Terminal.out(line) }
                throw ExitCode(ExitStatus.manual)
            }

            let libraries = LibraryProbe.run()
            for lib in libraries where !lib.usable { Terminal.out(lib.line.rendered) }
            let unusable = LibraryProbe.missingRequired(libraries).map(\.soname).joined(separator: ", ")
            if !unusable.isEmpty && force {
                Terminal.out("[WARN] --force: enabling anyway; every federated login fails until \(unusable) can be loaded")
            } else if !unusable.isEmpty {
                throw ToolFailure.refused("not enabled: \(unusable) cannot be used here (see above); install it, or use --force to enable anyway")
            }
            if noIdPCheck {
                Terminal.out("[WARN] IdP checks skipped (--no-idp-check): run 'jcfed idp test' once the network is up")
            } else {
                let passed = IdPChecks(context: context).run { Terminal.out($0.rendered) }
                guard passed else {
                    throw ToolFailure.refused("not enabled: the IdP checks above failed; fix them (jcfed idp test) and run enable again")
                }
            }
            guard let module = ModuleLocator.find(context: context) else {
                throw ToolFailure.refused(ModuleLocator.missingMessage(context: context))
            }
            try sshdPreflight(context: context, loginTimeout: loaded.config.idp.loginTimeout,
                              explicit: serviceList.contains("sshd"), systemWide: systemWide)

            // From here to the end: one transaction under the lock.
            let transaction = PAMTransaction(context: context)
            try transaction.lock()
            guard pam.state() == before else {
                throw ToolFailure.refused("PAM changed while the checks ran (another jcfed command?); nothing was changed; run enable again")
            }
            let removed = systemWide ? before.services : before.services.filter { !serviceList.contains($0) }
            let touchedServices = Array(Set(serviceList + before.services)).sorted()
            let servicePaths = touchedServices.map { pam.pamDir + "/" + $0 }
            let backupPaths = touchedServices.map { pam.backupDir + "/" + $0 }
            let authUpdatePaths = (systemWide || before.systemWide) ? pam.authUpdatePaths : []
            transaction.snapshot(servicePaths + backupPaths + authUpdatePaths + [store.hostPath])

            // Everything per service is checked before anything is written.
            let plan = systemWide ? [] : try pam.planServices(serviceList, policy: policy, arguments: arguments)

            var doc = try store.requireDocument()
            doc.set("pam", "offline", policy.rawValue)
            if systemWide { doc.remove("pam", "services") } else { doc.set("pam", "services", serviceList.joined(separator: " ")) }
            _ = try store.validate(doc)

            if dryRun {
                try printDryRun(context: context, pam: pam, transaction: transaction, plan: plan, removed: removed,
                                systemWide: systemWide, wasSystemWide: before.systemWide, policy: policy, arguments: arguments,
                                configText: doc.text)
                return
            }

            let config = loaded.config
            let routing = config.routing.groups.isEmpty ? "every mapped user with uid >= \(config.mapping.minUID)"
                                                        : "members of " + config.routing.groups.joined(separator: ", ")
            let offlineText = policy == .localPassword
                ? "local-password: when the IdP cannot be reached, routed users log in with their local password"
                : "deny: routed users cannot log in while the IdP cannot be reached"
            var changes: [String] = []
            if systemWide {
                changes.append("  where:    system-wide, every service that includes common-auth (\(reach(pam).joined(separator: ", ")))")
                if before.systemWide { changes.append("            (already system-wide: kept)") }
                if !removed.isEmpty { changes.append("            per-service lines removed from: " + removed.joined(separator: ", ")) }
            } else {
                let added = serviceList.filter { !before.services.contains($0) }
                let kept = serviceList.filter { before.services.contains($0) }
                changes.append("  services: added: \(added.isEmpty ? "none" : added.joined(separator: ", "))"
                               + "; kept: \(kept.isEmpty ? "none" : kept.joined(separator: ", "))"
                               + "; removed: \(removed.isEmpty ? "none" : removed.joined(separator: ", "))")
                if before.systemWide { changes.append("            system-wide (common-auth) is turned off") }
            }
            let impacts = impactWarnings(pam: pam, plan: plan, systemWide: systemWide, services: serviceList)
            try confirmation.require(question: """
                This turns on federated device authentication with \(config.idp.name) (\(config.idp.url)):
                \(changes.joined(separator: "\n"))
                  who:      \(routing); they sign in with a device code instead of a password
                  offline:  \(offlineText)
                  root and accounts below uid \(config.mapping.minUID) keep their local password.
                A failed federated sign-in (declined, wrong user, bad token) never falls back to the password.
                \(impacts.isEmpty ? "" : "Impacts:\n" + impacts.map { "  - " + $0 }.joined(separator: "\n") + "\n")I understand the impacts.
                """)

            // The plan was made against the text read above: refuse if any of it changed meanwhile.
            try transaction.requireUnchanged(servicePaths + authUpdatePaths + [store.hostPath])

            var notes: [String] = []
            try transaction.run {
                if systemWide {
                    // The new mode first, verified; only then the per-service lines go.
                    try pam.enableSystemWide(policy: policy, arguments: arguments)
                    for service in removed { notes += try pam.disableService(service) }
                } else {
                    notes += try pam.apply(plan)
                    for (service, edit) in plan where FileSystem.readText(pam.pamDir + "/" + service) != edit.text {
                        throw ToolFailure("\(pam.pamDir)/\(service) does not hold the planned text after writing it")
                    }
                    for service in removed { notes += try pam.disableService(service) }
                    if before.systemWide || pam.authUpdate.isEnabled {
                        try pam.authUpdate.disable()
                        if pam.authUpdate.isEnabled {
                            throw ToolFailure("pam-auth-update did not remove pam_jcfed.so from \(pam.authUpdate.commonAuthHostPath) (local changes to common-*?); run 'pam-auth-update' and deselect the jcfed profile, then run enable again")
                        }
                    }
                }
                let after = pam.state()
                let wanted = PAMIntegration.State(systemWide: systemWide, services: systemWide ? [] : serviceList.sorted())
                guard after.systemWide == wanted.systemWide, after.services.sorted() == wanted.services else {
                    throw ToolFailure(status: ExitStatus.failed, lines: ["after the change PAM would be \(after.description), not what was planned"] + notes)
                }
                try store.write(doc)
            }
            transaction.unlock()
            for note in notes { Terminal.err("jcfed: " + note) }

            Terminal.out("Federated device authentication is \(pam.state().description) (offline: \(policy.rawValue), module \(module)).")
            Terminal.out("Keep this session open and test a login in another one before logging out.")
        }
    }

    /// sshd must show the code (keyboard-interactive) through PAM: refuse otherwise, unless --force.
    func sshdPreflight(context: ToolContext, loginTimeout: Int, explicit: Bool, systemWide: Bool) throws {
        guard explicit || systemWide else { return }
        guard let result = SSHDPreflight(context: context).findings(loginTimeout: loginTimeout) else {
            if explicit { Terminal.out("[WARN] no sshd configuration (\(context.host(SSHDPreflight.configPath))): sshd's settings were not checked") }
            return
        }
        for f in result.findings where !f.fatal { Terminal.out("[WARN] " + f.text) }
        let fatal = result.findings.filter { $0.fatal }
        guard !fatal.isEmpty else {
            Terminal.out("[ OK ] sshd (\(result.source)): keyboard-interactive and PAM on")
            return
        }
        if force {
            for f in fatal { Terminal.out("[WARN] --force: enabling anyway; ssh device logins fail until this is fixed: " + f.text) }
            return
        }
        throw ToolFailure(status: ExitStatus.refused, lines: ["not enabled: sshd cannot carry a device login (read from \(result.source)):"]
                          + fatal.map { "  " + $0.text } + ["Fix sshd and run enable again, or use --force to enable anyway."])
    }

    /// Services under pam.d that include common-auth (what system-wide reaches).
    func reach(_ pam: PAMIntegration) -> [String] {
        let names = FileSystem.list(pam.pamDir).filter { name in
            guard !name.hasPrefix("common-"), !name.hasPrefix("."), let text = FileSystem.readText(pam.pamDir + "/" + name) else { return false }
            return text.splitLines().lines.contains { PAMConfigLine($0).includedFile(for: "auth") == "common-auth" }
        }
        return names.isEmpty ? ["ssh, console, su, sudo, ..."] : names
    }

    /// What the change breaks that the admin may not expect.
    func impactWarnings(pam: PAMIntegration, plan: [(String, PAMServiceEditor.Edit)], systemWide: Bool, services: [String]) -> [String] {
        var out: [String] = []
        let reached = systemWide ? reach(pam) : services
        let interactiveOnly = reached.filter { $0 == "sudo" || $0 == "su" || $0 == "sudo-i" }
        if systemWide || !interactiveOnly.isEmpty {
            out.append("\(interactiveOnly.isEmpty ? "sudo and su" : interactiveOnly.joined(separator: " and ")): routed users can no longer give a password non-interactively: 'sudo -S', Ansible 'become', scripts piping a password fail")
        }
        if systemWide {
            out.append("system-wide reaches every program that uses common-auth, not only logins: polkit (pkexec), chsh/chfn, screen lockers and any other program that authenticates through PAM")
        }
        for (service, edit) in plan {
            // success=done ends the auth stack: auth modules after the inserted line do not run.
            let rules = edit.text.splitLines().lines.map { PAMConfigLine($0) }
            guard let ours = rules.firstIndex(where: { $0.type == "auth" && $0.isJCFed }) else { continue }
            let later = rules.suffix(from: ours + 1).filter { $0.type == "auth" }.compactMap { $0.moduleBaseName }
            if !later.isEmpty {
                out.append("\(service): a federated sign-in ends its auth stack (success=done): \(later.joined(separator: ", ")) after it does not run for routed users")
            }
        }
        return out
    }

    func printDryRun(context: ToolContext, pam: PAMIntegration, transaction: PAMTransaction, plan: [(String, PAMServiceEditor.Edit)],
                     removed: [String], systemWide: Bool, wasSystemWide: Bool, policy: OfflinePolicy, arguments: String,
                     configText: String) throws {
        func target(_ host: String) -> String {
            context.isSystemRoot || !host.hasPrefix(context.root + "/") ? host : String(host.dropFirst(context.root.count))
        }
        var lines: [String] = []
        func show(_ targetPath: String, _ old: String?, _ new: String?) {
            lines += UnifiedDiff.diff(path: targetPath, old: old, new: new)
        }
        if systemWide {
            let profile = PAMLines.profile(policy, arguments: arguments)
            let profilePath = pam.authUpdate.profileHostPath
            show(target(profilePath), FileSystem.readText(profilePath), profile)
            let simulated = try pam.simulateAuthUpdate(enable: true, profile: profile)
            for (path, text) in simulated.sorted(by: { $0.key < $1.key }) {
                show(path, FileSystem.readText(context.host(path)), text)
            }
            if !(simulated[ToolContext.pamDir + "/common-auth"].map(PAMStackCheck.containsJCFed) ?? false) {
                Terminal.out("[WARN] pam-auth-update would not add pam_jcfed.so to common-auth (local changes to common-*?): enable would fail and change nothing")
            }
        } else {
            for (service, edit) in plan {
                let path = pam.pamDir + "/" + service
                show(target(path), transaction.originalText(path), edit.text)
            }
            if wasSystemWide {
                for (path, text) in try pam.simulateAuthUpdate(enable: false, profile: nil).sorted(by: { $0.key < $1.key }) {
                    show(path, FileSystem.readText(context.host(path)), text)
                }
            }
        }
        for service in removed {
            let path = pam.pamDir + "/" + service
            if let old = transaction.originalText(path) { show(target(path), old, PAMServiceEditor.removeMarked(from: old).text) }
        }
        show(context.configTargetPath, transaction.originalText(context.configHostPath), configText)
        for line in lines { Terminal.out(line) }
        Terminal.out("Dry run: nothing was changed (\(lines.isEmpty ? "nothing would change" : "run without --dry-run to make these changes")).")
    }
}
