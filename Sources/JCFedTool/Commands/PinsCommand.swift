import ArgumentParser
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

        @OptionGroup var options: IdentityToolOptions

        func run() throws {
            let (c, owner) = try options.load()
            let store = PinStore(stateDir: c.mapping.stateDir, storage: SystemStorage(owner: owner))
            switch store.list() {
            case .failure(let f): throw DirectoryToolSupport.fail(f.problem)
            case .success(let (pins, problems)):
                for p in problems { fputs("jcfed: warning: \(p)\n", stderr) }
                if !c.mapping.pinIdentity { print("note: mapping.pin_identity = no: pins are neither checked nor written") }
                if pins.isEmpty {
                    print("no pins in \(store.directory)")
                    return
                }
                let width = max(7, pins.map { $0.account.count }.max() ?? 0)
                func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
                print("\(pad("ACCOUNT"))  TENANT                                OBJECT ID                             PINNED")
                let now = SystemClock().wallSeconds()
                for p in pins {
                    let tid = p.tid ?? "(\(p.issuer))"
                    let tenant = tid + String(repeating: " ", count: max(0, 36 - tid.count))
                    let oid = p.oid + String(repeating: " ", count: max(0, 36 - p.oid.count))
                    print("\(pad(p.account))  \(tenant)  \(oid)  \(DirectoryToolSupport.when(p.pinnedAt, now: now))")
                }
            }
        }
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the pin of one account, or of all (asks to confirm); the next successful federated login pins it again.")

        @OptionGroup var options: IdentityToolOptions

        @Argument(help: "The local account name. Without it, every pin is removed (after confirmation).")
        var user: String?

        @Flag(help: "Do not ask for confirmation when removing every pin (scripts).")
        var yes = false

        func run() throws {
            let (c, owner) = try options.load()
            let store = PinStore(stateDir: c.mapping.stateDir, storage: SystemStorage(owner: owner))
            guard let user = user else { return try resetAll(store) }
            let previous = try? store.lookup(account: user).get()
            switch store.reset(account: user) {
            case .failure(let f): throw DirectoryToolSupport.fail(f.problem)
            case .success(false): print("\(user) has no pin")
            case .success(true):
                let was = previous.flatMap { $0 }.map { " (was tenant \($0.tid ?? "-") object id \($0.oid))" } ?? ""
                print("removed the pin of \(user)\(was); the next successful federated login pins it again")
            }
        }

        private func resetAll(_ store: PinStore) throws {
            let pins: [Pin]
            switch store.list() {
            case .failure(let f): throw DirectoryToolSupport.fail(f.problem)
            case .success(let (p, _)): pins = p
            }
            if pins.isEmpty { print("no pins in \(store.directory)"); return }
            do {
                try Confirmation.require(phrase: "yes", question: """
                    This removes the identity pins of all \(pins.count) accounts (\(pins.prefix(5).map { $0.account }.joined(separator: ", "))\(pins.count > 5 ? ", ..." : "")).
                    The next successful federated login of each account pins whichever Entra identity signs in.
                    """, assumeYes: yes)
            } catch let f as ToolFailure {
                fputs("jcfed: \(f.message)\n", stderr)
                throw ExitCode(f.status)
            }
            for p in pins {
                if case .failure(let f) = store.reset(account: p.account) { throw DirectoryToolSupport.fail(f.problem) }
            }
            print("removed the pins of \(pins.count) accounts; their next successful federated logins pin them again")
        }
    }
}
