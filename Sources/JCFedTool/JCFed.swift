import ArgumentParser
import JCFedAdmin
import JCFedCore

/// `jcfed`: the admin tool of JumpCloud federated device authentication.
struct JCFed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jcfed",
        abstract: "Federated device authentication for Linux: sign in with Microsoft Entra ID (or any OIDC provider) through PAM.",
        discussion: """
            Set up, in the order of JumpCloud's guide:
              jcfed idp add --type azure --name "Entra OIDC" \\
                --url https://login.microsoftonline.com/<directory (tenant) id> \\
                --client-id <application (client) id> --client-secret-file FILE
              jcfed idp test      check discovery, TLS, keys, clock, app registration
              jcfed enable        turn it on in PAM (asks you to confirm the impact)
              jcfed status        see what is set up
              jcfed logins        who signed in, and why a login failed
            Later: jcfed idp update, jcfed routing, jcfed disable, jcfed idp delete.

            Every command takes --root DIR (or $JCFED_ROOT) to work on a system under DIR \
            instead of /, and --config PATH for another jcfed.conf. See jcfed(8). When run as \
            root, $JCFED_ROOT is ignored (only --root counts) and DIR must be a tree only root \
            can change: owned by root and not writable by group or others, up from /.

            \(ExitStatus.helpText)
            """,
        version: "jcfed \(JCFedVersion.string)",
        subcommands: [
            IdPCommand.self, EnableCommand.self, DisableCommand.self, StatusCommand.self, LoginsCommand.self,
            RoutingCommand.self, DirectoryCommand.self, PinsCommand.self, CheckConfigCommand.self,
        ])

    @OptionGroup var options: GlobalOptions
}
