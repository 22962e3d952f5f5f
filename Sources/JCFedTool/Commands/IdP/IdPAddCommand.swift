import ArgumentParser
import JCFedAdmin
import JCFedCore

struct IdPAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add the identity provider (writes jcfed.conf and the client secret).",
        discussion: """
            Every field is checked with the rules the PAM module applies: the URL is https; for \
            azure it is the authority https://login.microsoftonline.com/<directory (tenant) id> \
            with a tenant GUID (the multi-tenant authorities common, organizations and consumers \
            are refused, so tokens from other tenants can never log in) and the client id is the \
            application (client) id GUID. jcfed.conf is written atomically (a new one 0644; an existing \
            one keeps its mode and group, 0600 if it holds an inline client_secret), keeping \
            its comments and other settings; the secret goes to /etc/jcfed/client_secret (mode \
            0600) and is never printed.

            A confidential app registration (a client secret, as in the JumpCloud guide) needs \
            --client-secret-file or --client-secret-stdin; a public one ("Allow public client \
            flows") needs neither. `jcfed idp test` tells which one the IdP expects.

            Example (lines short enough that --help never wraps them, so they copy and paste):
              tenant=72f988bf-86f1-41af-91ab-2d7cd011db47
              jcfed idp add --type azure --name "Entra OIDC" \\
                --url https://login.microsoftonline.com/$tenant \\
                --client-id 0b6f3a8e-3c0b-4d5e-9a71-1f2e3d4c5b6a \\
                --client-secret-file /root/secret.txt
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("azure (Microsoft Entra ID) or oidc (any OpenID Connect provider with device flow).", valueName: "azure|oidc"))
    var type: String

    @Option(help: ArgumentHelp("Display name, shown to users at sign-in.", valueName: "NAME"))
    var name: String

    @Option(help: ArgumentHelp("azure: https://login.microsoftonline.com/<tenant id>; oidc: the issuer URL.", valueName: "URL"))
    var url: String

    @Option(name: .customLong("client-id"), help: ArgumentHelp("Application (client) id.", valueName: "ID"))
    var clientID: String

    @OptionGroup var secret: SecretOptions

    @Option(name: .customLong("ca-file"), help: ArgumentHelp(
        "Extra trust anchors (PEM) for the IdP's TLS certificate, e.g. a TLS-inspecting proxy; the system store is still used.",
        valueName: "FILE"))
    var caFile: String?

    @Flag(help: "Replace an identity provider that is already configured.")
    var force = false

    func validate() throws { try secret.validateExclusive() }

    func run() throws {
        try changing(options) { context, store in
            let existing = try store.loadDocument()
            if let doc = existing, ConfigStore.hasIdP(doc), !force {
                throw ToolFailure.refused(
                    "an identity provider is already configured (\(doc.value("idp", "url") ?? "")); use 'jcfed idp update', or --force to replace it")
            }
            let secretValue = try secret.read(context: context)
            var edit = IdPEdit()
            edit.type = type
            edit.name = name
            edit.url = url
            edit.clientID = clientID
            edit.secret = secretValue.map { .set($0) } ?? .remove
            edit.caFile = caFile.map { .set($0) } ?? .remove
            let applied = try edit.apply(to: existing ?? IdPEdit.newFileHeader, context: context)
            _ = try store.validate(applied.document, changed: applied.changedKeys)
            try IdPEdit.save(applied, store: store)
            Terminal.out("Identity provider '\(name.trimmingSpaces())' saved in \(store.hostPath).")
            if secretValue != nil { Terminal.out("Client secret stored in \(applied.secretToWrite?.hostPath ?? "") (mode 0600).") }
            Terminal.out("Next: jcfed idp test, then jcfed enable.")
        }
    }
}
