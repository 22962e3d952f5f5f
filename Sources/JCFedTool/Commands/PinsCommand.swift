import ArgumentParser
import JCFedAdmin
import JCFedCore
import JCFedSystem
#if canImport(Glibc)
import Glibc
#endif

/// `jcfed pins list|reset [USER]`: the identity pins the module writes on each account's first
/// federated login (mapping.pin_identity). A pinned account refuses tokens of any other Entra
/// object id; resetting the pin lets the next successful login pin it anew (for a person who
/// really did get a new Entra account).
struct PinsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pins",
        abstract: "List or reset the identity pins (local account -> Entra tenant and object id).",
        subcommands: [List.self, Reset.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List all pins.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            try reading(options) { context in
                let c = try context.loadedConfig()
                let store = PinStore(stateDir: c.mapping.stateDir, storage: SystemStorage(owner: context.configOwner))
                switch store.list() {
                case .failure(let f): throw ToolFailure(f.problem)
                case .success(let (pins, problems)):
                    for p in problems { Terminal.err("jcfed: warning: \(p)") }
                    if !c.mapping.pinIdentity { Terminal.out("note: mapping.pin_identity = no: pins are neither checked nor written") }
                    if pins.isEmpty {
                        Terminal.out("no pins in \(store.directory)")
                        return
                    }
                    let width = max(7, pins.map { $0.account.count }.max() ?? 0)
                    func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
                    Terminal.out("\(pad("ACCOUNT"))  TENANT                                OBJECT ID                             PINNED")
                    let now = SystemClock().wallSeconds()
                    for p in pins {
                        let tid = p.tid ?? "(\(p.issuer))"
                        let tenant = tid + String(repeating: " ", count: max(0, 36 - tid.count))
                        let oid = p.oid + String(repeating: " ", count: max(0, 36 - p.oid.count))
                        Terminal.out("\(pad(p.account))  \(tenant)  \(oid)  \(DirectoryToolSupport.when(p.pinnedAt, now: now))")
                    }
                }
            }
        }
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the pin of one account, or of all (asks to confirm); the next successful federated login pins it again.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The local account name. Without it, every pin is removed (after confirmation).")
        var user: String?

        @OptionGroup var confirmation: ConfirmationOptions

        func run() throws {
            try changing(options) { context, _ in
                let c = try context.loadedConfig()
                let store = PinStore(stateDir: c.mapping.stateDir, storage: SystemStorage(owner: context.configOwner))
                guard let user = user else { return try resetAll(store) }
                let previous = try? store.lookup(account: user).get()
                switch store.reset(account: user) {
                case .failure(let f): throw ToolFailure(f.problem)
                case .success(false): Terminal.out("\(user) has no pin")
                case .success(true):
                    let was = previous.flatMap { $0 }.map { " (was tenant \($0.tid ?? "-") object id \($0.oid))" } ?? ""
                    Terminal.out("removed the pin of \(user)\(was); the next successful federated login pins it again")
                }
            }
        }

        private func resetAll(_ store: PinStore) throws {
            let pins: [Pin]
            switch store.list() {
            case .failure(let f): throw ToolFailure(f.problem)
            case .success(let (p, _)): pins = p
            }
            if pins.isEmpty { Terminal.out("no pins in \(store.directory)"); return }
            try confirmation.require(question: """
                This removes the identity pins of all \(pins.count) accounts (\(pins.prefix(5).map { $0.account }.joined(separator: ", "))\(pins.count > 5 ? ", ..." : "")).
                The next successful federated login of each account pins whichever Entra identity signs in.
                """)
            for p in pins {
                if case .failure(let f) = store.reset(account: p.account) { throw ToolFailure(f.problem) }
            }
            Terminal.out("removed the pins of \(pins.count) accounts; their next successful federated logins pin them again")
        }
    }
}
