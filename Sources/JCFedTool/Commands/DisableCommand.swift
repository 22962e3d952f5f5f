import ArgumentParser
import JCFedAdmin
import JCFedCore

struct DisableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Turn off federated device authentication in PAM.",
        discussion: """
            Removes pam_jcfed.so wherever 'jcfed enable' put it: pam-auth-update --package \
            --disable jcfed for the system-wide profile, and the marked lines of each \
            /etc/pam.d/<service> (restoring the file saved at enable when nothing else changed). \
            Everyone logs in with local passwords again. The IdP configuration is kept.
            """)

    @OptionGroup var options: GlobalOptions

    @OptionGroup var confirmation: ConfirmationOptions

    func run() throws {
        try changing(options) { context, store in
            let pam = PAMIntegration(context: context)
            // One transaction: under the lock, every touched file restored if any step fails.
            let transaction = PAMTransaction(context: context)
            try transaction.lock()
            let state = pam.state()
            guard state.isEnabled else {
                Terminal.out("Federated device authentication is not enabled; nothing to do.")
                return
            }
            let watched = state.services.map { pam.pamDir + "/" + $0 } + (state.systemWide ? pam.authUpdatePaths : []) + [store.hostPath]
            transaction.snapshot(watched + state.services.map { pam.backupDir + "/" + $0 })
            try confirmation.require(question: """
                Federated device authentication is \(state.description).
                Disabling it makes every user log in with the local password again.
                """)
            try transaction.requireUnchanged(watched)
            var notes: [String] = []
            try transaction.run {
                notes = try pam.disableAll()
                // Turning off never waits on jcfed.conf: an unsafe file is reported, not edited.
                var doc: INIDocument?
                do { doc = try store.loadDocument() } catch let f as ToolFailure {
                    notes.append(f.message + "; its [pam] services line is out of date")
                }
                if var d = doc, d.remove("pam", "services") { try store.write(d) }
            }
            transaction.unlock()
            for note in notes { Terminal.err("jcfed: " + note) }
            Terminal.out("Federated device authentication is \(pam.state().description).")
        }
    }
}
