import ArgumentParser
import JCFedAdmin
import JCFedCore
#if canImport(Glibc)
import Glibc
#endif

struct RoutingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routing",
        abstract: "Choose which groups are federated (routing.groups).",
        discussion: """
            Like JumpCloud's routing policies: only members of the listed groups sign in with \
            the IdP; everyone else keeps the local password. With no groups, every mapped user \
            with uid >= min_uid is federated. Edits routing.groups in jcfed.conf in place; a \
            name with spaces ("Linux Admins") is written quoted.

            While federated authentication is enabled, a change is saved only when the checks \
            'jcfed enable' runs pass (--force saves anyway), and removing the last group, which \
            federates every mapped user, asks for confirmation (--yes in scripts; without a \
            terminal and without --yes it is refused).
            """,
        subcommands: [Add.self, Remove.self, List.self])

    @OptionGroup var options: GlobalOptions

    /// The routed groups, read with the module's own syntax (names with spaces are quoted).
    static func groups(_ doc: INIDocument) throws -> [String] {
        switch GroupList.parse(doc.value("routing", "groups") ?? "") {
        case .success(let g): return g
        case .failure(let p): throw ToolFailure("routing.groups in jcfed.conf: \(p.text); fix it by hand first")
        }
    }

    static func save(_ groups: [String], into doc: INIDocument, store: ConfigStore) throws {
        var d = doc
        d.set("routing", "groups", GroupList.format(groups))
        _ = try store.validate(d, requireIdP: false, changed: ["routing.groups"])
        try store.write(d)
    }

    /// While enabled, a routing change takes effect at the next login: the checks of `enable`.
    static func checkWhileEnabled(_ context: ToolContext, force: Bool, change: String) throws {
        try LockoutGuard.requireChecks(context: context, force: force, change: change)
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Federate the members of a group.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: ArgumentHelp("Local group name (as the JumpCloud agent creates it).", valueName: "GROUP"))
        var group: String

        @Flag(help: "Save even when the checks run while federated authentication is enabled fail.")
        var force = false

        func run() throws {
            try changing(options) { context, store in
                guard GroupList.isWritableName(group) else {
                    throw ToolFailure("'\(group)' is not a group name (no quotes, commas or #, no spaces at its ends)")
                }
                let doc = try store.loadDocument() ?? IdPEdit.newFileHeader
                var groups = try RoutingCommand.groups(doc)
                guard !groups.contains(group) else { Terminal.out("\(group) is already routed."); return }
                groups.append(group)
                try RoutingCommand.checkWhileEnabled(context, force: force, change: "routing.groups")
                try RoutingCommand.save(groups, into: doc, store: store)
                Terminal.out("Routed group \(group); federated groups: \(groups.joined(separator: ", ")).")
                if context.isSystemRoot && getgrnam(group) == nil {
                    Terminal.err("jcfed: note: no local group \(group) exists yet on this machine")
                }
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop federating the members of a group.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: ArgumentHelp("Group name.", valueName: "GROUP"))
        var group: String

        @OptionGroup var confirmation: ConfirmationOptions

        @Flag(help: "Save even when the checks run while federated authentication is enabled fail.")
        var force = false

        func run() throws {
            try changing(options) { context, store in
                let doc = try store.requireDocument()
                var groups = try RoutingCommand.groups(doc)
                guard groups.contains(group) else { throw ToolFailure("\(group) is not a routed group") }
                groups.removeAll { $0 == group }
                let state = PAMIntegration(context: context).state()
                if groups.isEmpty && state.isEnabled && !confirmation.yes {
                    // Widening to everyone: never silently, never from a script that did not say so.
                    let minUID = (try? store.parse(doc).get())?.config.mapping.minUID ?? MappingSettings().minUID
                    let question = """
                        \(group) is the last routed group: removing it federates EVERY mapped user with uid >= \(minUID) \
                        (federated authentication is \(state.description)); they sign in with a device code instead of a password.
                        """
                    guard Terminal.stdinIsTerminal else {
                        throw ToolFailure.refused("not changed: removing the last routed group (\(group)) would federate every mapped user with uid >= \(minUID); run it on a terminal to confirm, or pass --yes")
                    }
                    try confirmation.require(question: question)
                }
                try RoutingCommand.checkWhileEnabled(context, force: force, change: "routing.groups")
                try RoutingCommand.save(groups, into: doc, store: store)
                Terminal.out(groups.isEmpty
                    ? "Removed \(group); no routed groups left: every mapped user with uid >= min_uid is federated."
                    : "Removed \(group); federated groups: \(groups.joined(separator: ", ")).")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the routed groups, one per line.")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            try reading(options) { context in
                let store = ConfigStore(context: context)
                let groups = try (try store.loadDocument()).map(RoutingCommand.groups) ?? []
                if groups.isEmpty {
                    Terminal.err("(no routed groups: every mapped user with uid >= min_uid is federated)")
                }
                for g in groups { Terminal.out(g) }
            }
        }
    }
}
