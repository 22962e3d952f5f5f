import ArgumentParser
import JCFedAdmin
import JCFedCore

struct IdPTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Check the connection to the identity provider; with --user, sign in.",
        discussion: """
            Without --user, non-interactive checks, one line each ([ OK ], [WARN], [FAIL] with a \
            fix after ->): the configuration is valid; discovery is reachable over verified TLS; \
            the issuer matches the tenant; the signing keys are fetched (RSA at least 2048 bits); \
            this machine's clock is within clock_skew of the IdP's Date header; and the app \
            registration allows the device code flow (a device-code request and one token \
            request tell a public client from a confidential one: AADSTS7000218 means the \
            secret is needed, AADSTS700025 that a secret must not be sent). A device code is \
            requested but never shown; it expires unused. `jcfed enable` runs the same checks.

            With --user UPN, a full interactive device-code sign-in in this terminal through \
            the same code as the PAM module; prints the verified claims and the local account \
            they map to. \
            Exit status: 0 when no check failed, 1 otherwise.
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("Sign in interactively as this user (user principal name) and show the mapping.", valueName: "UPN"))
    var user: String?

    func run() throws {
        try reading(options) { context in
            let checks = IdPChecks(context: context)
            var passed = checks.run { Terminal.out($0.rendered) }
            // The libraries a login loads: a missing or too old one fails the test (LibraryProbe).
            for lib in LibraryProbe.run() where !lib.usable {
                Terminal.out(lib.line.rendered)
                if lib.required { passed = false }
            }
            if case .success(let l) = ConfigStore(context: context).load() {
                let state = PAMIntegration(context: context).state()
                for line in SSHDPreflight(context: context).checkLines(loginTimeout: l.config.idp.loginTimeout,
                                                                       sshdEnabled: state.systemWide || state.services.contains("sshd")) {
                    Terminal.out(line.rendered)
                    if line.status == .fail { passed = false }
                }
            }
            guard passed else { throw ExitCode(ExitStatus.failed) }
            if let upn = user {
                let loaded = try ConfigStore(context: context).requireLoaded()
                let ok = try LoginTest(context: context, loaded: loaded, expectedUPN: upn).run()
                if !ok { throw ExitCode(ExitStatus.failed) }
            }
        }
    }
}
