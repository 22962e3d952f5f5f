import ArgumentParser
import JCFedAdmin
import JCFedCore

struct IdPUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change fields of the configured identity provider.",
        discussion: """
            Only the given fields change; the result is checked with the same rules as \
            `idp add` before anything is written. While federated authentication is enabled in \
            PAM the change would take effect at the next login, so the checks 'jcfed enable' \
            runs (those of 'jcfed idp test') are run on the changed settings first and nothing \
            is written when one fails, unless --force is given.
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("azure or oidc.", valueName: "azure|oidc"))
    var type: String?

    @Option(help: ArgumentHelp("Display name.", valueName: "NAME"))
    var name: String?

    @Option(help: ArgumentHelp("Authority (azure) or issuer (oidc).", valueName: "URL"))
    var url: String?

    @Option(name: .customLong("client-id"), help: ArgumentHelp("Application (client) id.", valueName: "ID"))
    var clientID: String?

    @OptionGroup var secret: SecretOptions

    @Flag(name: .customLong("no-client-secret"),
          help: "Remove the client secret (a public client app registration).")
    var noClientSecret = false

    @Option(name: .customLong("ca-file"), help: ArgumentHelp(
        "Extra trust anchors (PEM) for the IdP's TLS; an empty value removes the setting.", valueName: "FILE"))
    var caFile: String?

    @Flag(help: "Save even when the checks run while federated authentication is enabled fail.")
    var force = false

    func validate() throws {
        try secret.validateExclusive(allowingNone: noClientSecret)
        if type == nil && name == nil && url == nil && clientID == nil && caFile == nil && !noClientSecret
            && secret.clientSecretFile == nil && !secret.clientSecretStdin {
            throw ValidationError("nothing to update: give at least one field (see --help)")
        }
    }

    func run() throws {
        try changing(options) { context, store in
            let doc = try store.requireDocument()
            guard ConfigStore.hasIdP(doc) else {
                throw ToolFailure("no identity provider is configured; use 'jcfed idp add'")
            }
            var edit = IdPEdit()
            edit.type = type
            edit.name = name
            edit.url = url
            edit.clientID = clientID
            if noClientSecret { edit.secret = .remove } else if let s = try secret.read(context: context) { edit.secret = .set(s) }
            if let ca = caFile { edit.caFile = ca.isEmpty ? .remove : .set(ca) }
            let applied = try edit.apply(to: doc, context: context)
            let config = try store.validate(applied.document, changed: applied.changedKeys)
            if let config = config, !applied.changedKeys.isEmpty {
                // While enabled, the next login uses the change: check it as `enable` would first.
                let secretValue: String?
                switch edit.secret {
                case .set(let value): secretValue = value
                case .remove: secretValue = nil
                case .keep: secretValue = config.idp.clientSecret ?? (try? store.load().get())?.clientSecret
                }
                try LockoutGuard.requireChecks(context: context, force: force, change: "the IdP change",
                                               override: IdPChecks.Candidate(config: config, clientSecret: secretValue))
            }
            try IdPEdit.save(applied, store: store)
            let keys = applied.changedKeys.sorted().joined(separator: ", ")
            Terminal.out(keys.isEmpty ? "Nothing changed." : "Updated \(keys) in \(store.hostPath).")
            if noClientSecret, let old = applied.secretToRemove { Terminal.out("Removed \(old).") }
        }
    }
}
