import JCFedAdmin
import ArgumentParser

/// `jcfed idp ...`: the identity provider lifecycle of the JumpCloud guide (Configuring,
/// Managing, Deleting).
struct IdPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idp",
        abstract: "Add, show, update, test or delete the identity provider.",
        discussion: """
            One identity provider (IdP) signs users in: Microsoft Entra ID (--type azure) or any \
            OpenID Connect provider that supports the device authorization grant (--type oidc). \
            Its settings live in the [idp] section of jcfed.conf; a client secret, when the app \
            registration is confidential, in /etc/jcfed/client_secret (mode 0600).

            Typical order: idp add, idp test, enable; later idp update; idp delete to remove it.
            """,
        subcommands: [IdPAddCommand.self, IdPShowCommand.self, IdPUpdateCommand.self,
                      IdPTestCommand.self, IdPDeleteCommand.self])

    @OptionGroup var options: GlobalOptions
}

/// Options shared by `idp add` and `idp update` for the client secret.
struct SecretOptions: ParsableArguments {
    @Option(name: .customLong("client-secret-file"), help: ArgumentHelp(
        "Copy the client secret from the first line of FILE (refused when FILE is readable by everyone; under --root, FILE is in that tree). Stored in /etc/jcfed/client_secret, mode 0600.",
        valueName: "FILE"))
    var clientSecretFile: String?

    @Flag(name: .customLong("client-secret-stdin"),
          help: "Read the client secret from standard input (hidden on a terminal).")
    var clientSecretStdin = false

    func validateExclusive(allowingNone noSecret: Bool = false) throws {
        let given = (clientSecretFile != nil ? 1 : 0) + (clientSecretStdin ? 1 : 0) + (noSecret ? 1 : 0)
        if given > 1 {
            throw ValidationError("use only one of --client-secret-file, --client-secret-stdin, --no-client-secret")
        }
    }

    /// Reads the secret when one was given (before anything is written).
    /// Under --root, FILE is a path of the system in DIR (like --ca-file), resolved inside it.
    func read(context: ToolContext) throws -> String? {
        if let file = clientSecretFile {
            if context.isSystemRoot { return try ClientSecretSource.fromFile(file) }
            guard file.hasPrefix("/") else {
                throw ToolFailure("--client-secret-file \(file): under --root give the absolute path the system in \(context.root) sees (it is read from there, like --ca-file)")
            }
            return try ClientSecretSource.fromFile(context.host(file), shown: file)
        }
        if clientSecretStdin { return try ClientSecretSource.fromStandardInput() }
        return nil
    }
}
