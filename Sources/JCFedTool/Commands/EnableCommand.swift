import ArgumentParser
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

            Before any change: the configuration is loaded, the IdP checks of 'jcfed idp test' \
            must pass, pam_jcfed.so must be installed, and every resulting stack must still \
            reach pam_unix.so for root. The policy and services are recorded in [pam].
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("Only these PAM services (comma-separated), e.g. sshd,login.", valueName: "LIST"))
    var services: String?

    @Option(help: ArgumentHelp("What routed users get when the IdP is unreachable: local-password or deny. Default: [pam] offline, else local-password.",
                               valueName: "local-password|deny"))
    var offline: String?

    @Flag(help: "Do not ask for confirmation (scripts).")
    var yes = false

    @Flag(name: .customLong("no-idp-check"), help: ArgumentHelp(
        "Skip the network checks of the IdP (for staging an image offline). TLS is still verified at every login.",
        visibility: .default))
    var noIdPCheck = false

    func run() throws {
        try guarded {
            let context = try options.context()
            try context.requireRootForChanges()
            let store = ConfigStore(context: context)
            let loaded = try store.requireLoaded()
            let policy: OfflinePolicy
            if let o = offline {
                guard let p = OfflinePolicy(rawValue: o) else { throw ToolFailure("--offline must be local-password or deny, not '\(o)'", status: ExitStatus.usage) }
                policy = p
            } else {
                policy = loaded.config.pam.offline
            }
            let serviceList = (services ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            if services != nil && serviceList.isEmpty { throw ToolFailure("--services needs at least one service name", status: ExitStatus.usage) }

            let pam = PAMIntegration(context: context)
            let arguments = PAMLines.moduleArguments(configTargetPath: context.configTargetPath)
            if context.configTargetPath.contains(where: { $0 == " " || $0 == "\t" }) {
                throw ToolFailure("the configuration path must not contain spaces (it goes into the PAM line)")
            }
            // Systems without pam-auth-update: say exactly what to add, change nothing.
            if serviceList.isEmpty && !pam.authUpdate.isAvailable {
                for line in PAMIntegration.manualInstructions(policy: policy, arguments: arguments) { Terminal.out(line) }
                throw ExitCode(ExitStatus.manual)
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

            // Everything per service is checked before anything is written.
            let plan = serviceList.isEmpty ? [] : try pam.planServices(serviceList, policy: policy, arguments: arguments)

            let config = loaded.config
            let routing = config.routing.groups.isEmpty ? "every mapped user with uid >= \(config.mapping.minUID)"
                                                        : "members of " + config.routing.groups.joined(separator: ", ")
            let offlineText = policy == .localPassword
                ? "local-password: when the IdP cannot be reached, routed users log in with their local password"
                : "deny: routed users cannot log in while the IdP cannot be reached"
            try Confirmation.require(phrase: "yes", question: """
                This turns on federated device authentication with \(config.idp.name) (\(config.idp.url)):
                  where:    \(serviceList.isEmpty ? "system-wide, every service that includes common-auth (ssh, console, su, sudo, ...)" : "only " + serviceList.joined(separator: ", "))
                  who:      \(routing); they sign in with a device code instead of a password
                  offline:  \(offlineText)
                  root and accounts below uid \(config.mapping.minUID) keep their local password.
                A failed federated sign-in (declined, wrong user, bad token) never falls back to the password.
                I understand the impacts.
                """, assumeYes: yes)

            var notes: [String] = []
            if serviceList.isEmpty {
                // Per-service lines would run the device login twice.
                for service in pam.state().services { notes += try pam.disableService(service) }
                try pam.enableSystemWide(policy: policy, arguments: arguments)
            } else {
                notes += try pam.apply(plan)
                for service in pam.state().services where !serviceList.contains(service) {
                    notes += try pam.disableService(service)
                }
                if pam.authUpdate.isEnabled { try pam.authUpdate.disable() }
            }
            for note in notes { Terminal.err("jcfed: " + note) }

            var doc = try store.requireDocument()
            doc.set("pam", "offline", policy.rawValue)
            if serviceList.isEmpty { doc.remove("pam", "services") } else { doc.set("pam", "services", serviceList.joined(separator: " ")) }
            _ = try store.validate(doc)
            try store.write(doc)

            Terminal.out("Federated device authentication is \(pam.state().description) (offline: \(policy.rawValue), module \(module)).")
            Terminal.out("Keep this session open and test a login in another one before logging out.")
        }
    }
}
