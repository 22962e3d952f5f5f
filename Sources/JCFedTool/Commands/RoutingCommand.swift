import ArgumentParser
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
            with uid >= min_uid is federated. Edits routing.groups in jcfed.conf in place.
            """,
        subcommands: [Add.self, Remove.self, List.self])

    @OptionGroup var options: GlobalOptions

    static func groups(_ doc: INIDocument) -> [String] {
        (doc.value("routing", "groups") ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
    }

    static func validGroupName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 256 && !s.hasPrefix("#") && !s.hasPrefix("-")
            && s.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7f && $0 != "," && $0 != "#" }
    }

    static func save(_ groups: [String], into doc: INIDocument, store: ConfigStore) throws {
        var d = doc
        d.set("routing", "groups", groups.joined(separator: " "))
        _ = try store.validate(d, requireIdP: false, changed: ["routing.groups"])
        try store.write(d)
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Federate the members of a group.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: ArgumentHelp("Local group name (as the JumpCloud agent creates it).", valueName: "GROUP"))
        var group: String

        func run() throws {
            try guarded {
                guard RoutingCommand.validGroupName(group) else { throw ToolFailure("'\(group)' is not a group name (no spaces, commas or #)") }
                let context = try options.context()
                try context.requireRootForChanges()
                let store = ConfigStore(context: context)
                let doc = try store.loadDocument() ?? IdPEdit.newFileHeader
                var groups = RoutingCommand.groups(doc)
                guard !groups.contains(group) else { Terminal.out("\(group) is already routed."); return }
                groups.append(group)
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

        func run() throws {
            try guarded {
                let context = try options.context()
                try context.requireRootForChanges()
                let store = ConfigStore(context: context)
                let doc = try store.requireDocument()
                var groups = RoutingCommand.groups(doc)
                guard groups.contains(group) else { throw ToolFailure("\(group) is not a routed group") }
                groups.removeAll { $0 == group }
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
            try guarded {
                let store = ConfigStore(context: try options.context())
                let groups = (try store.loadDocument()).map(RoutingCommand.groups) ?? []
                if groups.isEmpty {
                    Terminal.err("(no routed groups: every mapped user with uid >= min_uid is federated)")
                }
                for g in groups { Terminal.out(g) }
            }
        }
    }
}
