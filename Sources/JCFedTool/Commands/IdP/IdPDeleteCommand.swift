import ArgumentParser
import JCFedAdmin
import JCFedCore
import JCFedSystem

struct IdPDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete the identity provider, its secret, caches and pins.",
        discussion: """
            Asks you to type "yes, delete" (or pass --yes). If federated authentication is \
            enabled in PAM it is disabled first, so no stack is left pointing at a missing IdP; \
            then the [idp] section of jcfed.conf is removed (the whole file when nothing else is \
            left in it), with the client secret file, the caches (/var/cache/jcfed) and the \
            identity pins (/var/lib/jcfed/pins), and the [pam] record of the integration. Routing, \
            mapping and the JumpCloud directory are kept. The cache and pins are removed by \
            descriptor, never following a link; a cache_dir or state_dir that is not root-owned \
            and closed to others is refused before anything is changed (exit 2).
            """)

    @OptionGroup var options: GlobalOptions

    @OptionGroup var confirmation: ConfirmationOptions

    func run() throws {
        try changing(options) { context, store in
            let doc = try store.requireDocument()
            guard ConfigStore.hasIdP(doc) else { throw ToolFailure("no identity provider is configured") }
            let parsed = try? store.parse(doc).get()
            let pam = PAMIntegration(context: context)
            // Like enable and disable: one transaction under the lock, planned against what was
            // read, every PAM file and jcfed.conf restored if any step fails.
            let transaction = PAMTransaction(context: context)
            try transaction.lock()
            defer { transaction.unlock() }
            let state = pam.state()
            let watched = state.services.map { pam.pamDir + "/" + $0 } + (state.systemWide ? pam.authUpdatePaths : [])
                + [store.hostPath]
            transaction.snapshot(watched + state.services.map { pam.backupDir + "/" + $0 })

            // The cache and state folders are walked as root: refuse before changing anything
            // when someone other than root could change them (as the module does).
            let config = parsed?.config ?? JCFedConfig()
            let cacheDir = context.host(config.idp.cacheDir)
            let stateDir = context.host(config.mapping.stateDir)
            for dir in [cacheDir, stateDir] {
                if let problem = SafeRemove.problem(dir, owner: context.configOwner) {
                    throw ToolFailure.refused("nothing was changed: \(problem); the module refuses it too. Make it root-owned and closed to others (chown root:root, chmod 0700), or fix the setting, then delete again")
                }
            }

            let name = doc.value("idp", "name") ?? "Entra OIDC"
            try confirmation.require(phrase: "yes, delete", question: """
                This deletes the identity provider '\(name)' (\(doc.value("idp", "url") ?? "")).
                \(state.isEnabled ? "Federated authentication is \(state.description): it is disabled first; users log in with local passwords again." : "Federated authentication is not enabled in PAM.")
                The client secret, caches and identity pins are removed.
                """)

            try transaction.requireUnchanged(watched)
            try transaction.run {
                if state.isEnabled {
                    for note in try pam.disableAll() { Terminal.err("jcfed: " + note) }
                    Terminal.out("Disabled federated authentication in PAM.")
                }
                var remaining = doc
                remaining.removeSection("idp")
                remaining.removeSection("pam")
                if remaining.hasEntries {
                    try store.write(remaining)
                    Terminal.out("Removed the [idp] section from \(store.hostPath).")
                } else {
                    try FileSystem.remove(store.hostPath)
                    Terminal.out("Removed \(store.hostPath).")
                }
            }

            var secretFiles = [ToolContext.defaultSecretFile]
            if let f = doc.value("idp", "client_secret_file"), f.hasPrefix("/") { secretFiles.append(f) }
            for target in Set(secretFiles) where FileSystem.exists(context.host(target)) {
                try FileSystem.remove(context.host(target))
                Terminal.out("Removed \(context.host(target)).")
            }
            try IdPDeleteCommand.clear(cache: cacheDir, owner: context.configOwner)
            let pins = PinStore(stateDir: stateDir, storage: SystemStorage(owner: context.configOwner))
            switch pins.removeAll() {
            case .failure(let f): throw ToolFailure.refused("not removing the identity pins: \(f.problem)")
            case .success(true): Terminal.out("Removed the identity pins \(pins.directory).")
            case .success(false): break
            }
            Terminal.out("Identity provider deleted.")
        }
    }

    /// Empties the cache directory, walking it by descriptor (SafeRemove). Its contents are
    /// removed only when the directory is jcfed's own (its name contains "jcfed"): a cache_dir
    /// mistakenly set to a shared directory is never wiped.
    static func clear(cache dir: String, owner: UInt32) throws {
        guard let info = FileSystem.info(dir), info.isDirectory else { return }
        guard FileSystem.baseName(dir).contains("jcfed") else {
            Terminal.err("jcfed: not clearing cache_dir \(dir): not a jcfed directory; remove its jcfed files by hand")
            return
        }
        let hadEntries = !FileSystem.list(dir).isEmpty
        try SafeRemove.clearContents(of: dir, owner: owner)
        if hadEntries { Terminal.out("Cleared the cache \(dir).") }
    }
}
