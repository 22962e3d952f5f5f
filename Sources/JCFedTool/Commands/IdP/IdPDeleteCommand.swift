import ArgumentParser
import JCFedCore

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
            mapping and the JumpCloud directory are kept.
            """)

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Do not ask for confirmation (scripts).")
    var yes = false

    func run() throws {
        try guarded {
            let context = try options.context()
            try context.requireRootForChanges()
            let store = ConfigStore(context: context)
            let doc = try store.requireDocument()
            guard ConfigStore.hasIdP(doc) else { throw ToolFailure("no identity provider is configured") }
            let parsed = try? store.parse(doc).get()
            let pam = PAMIntegration(context: context)
            let state = pam.state()

            let name = doc.value("idp", "name") ?? "Entra OIDC"
            try Confirmation.require(phrase: "yes, delete", question: """
                This deletes the identity provider '\(name)' (\(doc.value("idp", "url") ?? "")).
                \(state.isEnabled ? "Federated authentication is \(state.description): it is disabled first; users log in with local passwords again." : "Federated authentication is not enabled in PAM.")
                The client secret, caches and identity pins are removed.
                """, assumeYes: yes)

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

            let config = parsed?.config ?? JCFedConfig()
            var secretFiles = [ToolContext.defaultSecretFile]
            if let f = doc.value("idp", "client_secret_file"), f.hasPrefix("/") { secretFiles.append(f) }
            for target in Set(secretFiles) where FileSystem.exists(context.host(target)) {
                try FileSystem.remove(context.host(target))
                Terminal.out("Removed \(context.host(target)).")
            }
            try IdPDeleteCommand.clear(cache: context.hostDirectory(config.idp.cacheDir))
            let pins = context.host(config.mapping.stateDir + "/pins")
            if FileSystem.exists(pins) {
                try FileSystem.removeTree(pins)
                Terminal.out("Removed the identity pins \(pins).")
            }
            Terminal.out("Identity provider deleted.")
        }
    }

    /// Empties the cache directory. Its contents are removed only when the directory is
    /// jcfed's own (its name contains "jcfed"): a cache_dir mistakenly set to a shared
    /// directory is never wiped.
    static func clear(cache dir: String) throws {
        guard let info = FileSystem.info(dir), info.isDirectory else { return }
        guard FileSystem.baseName(dir).contains("jcfed") else {
            Terminal.err("jcfed: not clearing cache_dir \(dir): not a jcfed directory; remove its jcfed files by hand")
            return
        }
        let entries = FileSystem.list(dir)
        for name in entries { try FileSystem.removeTree(dir + "/" + name) }
        if !entries.isEmpty { Terminal.out("Cleared the cache \(dir).") }
    }
}
