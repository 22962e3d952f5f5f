import JCFedAdmin
import JCFedCore

/// A change to the IdP or to routing while federated authentication is enabled in PAM takes
/// effect at the next login: before it is written, the checks `jcfed enable` runs (the
/// configuration, then the IdP probe of `jcfed idp test`) must pass, or --force is needed.
enum LockoutGuard {
    /// `override` is the configuration about to be written (with its secret), checked instead
    /// of the file on disk.
    static func requireChecks(context: ToolContext, force: Bool, change: String,
                              override: IdPChecks.Candidate? = nil) throws {
        let state = PAMIntegration(context: context).state()
        guard state.isEnabled else { return }
        Terminal.out("Federated authentication is \(state.description): checking \(change) as 'jcfed enable' does.")
        let passed = IdPChecks(context: context).run(candidate: override) { Terminal.out($0.rendered) }
        if passed { return }
        if force {
            Terminal.err("jcfed: warning: the checks above failed; \(change) is saved anyway (--force): routed users may be unable to log in")
            return
        }
        throw ToolFailure.refused(
            "not changed: the checks above failed and federated authentication is \(state.description); fix them, or use --force to save \(change) anyway")
    }
}
