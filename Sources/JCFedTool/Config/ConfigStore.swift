import JCFedAdmin
import JCFedCore
import JCFedSystem
#if canImport(Glibc)
import Glibc
#endif

/// Reads, checks and writes jcfed.conf for the commands. Every write is checked first by the
/// module's own ConfigParser, so the tool can never save a file the module would refuse.
struct ConfigStore {
    let context: ToolContext

    var hostPath: String { context.configHostPath }
    var targetPath: String { context.configTargetPath }

    /// The file as an editable document; nil when it does not exist. An unsafe file (wrong
    /// owner, writable by others, a symlink) is refused: the module would refuse it too.
    func loadDocument() throws -> INIDocument? {
        switch SecureFolder.readText(hostPath, owner: context.configOwner, maxBytes: 64 * 1024) {
        case .success(let text): return INIDocument(text: text)
        case .failure(.missing): return nil
        case .failure(let f): throw ToolFailure("\(hostPath) \(f.description); fix it before editing")
        }
    }

    func requireDocument() throws -> INIDocument {
        guard let doc = try loadDocument() else {
            throw ToolFailure("no configuration at \(hostPath); add an identity provider first: jcfed idp add --help")
        }
        return doc
    }

    /// The module's view of a document.
    func parse(_ doc: INIDocument) -> Result<ConfigParseResult, ConfigError> {
        ConfigParser.parse(doc.text, path: targetPath)
    }

    /// Whether the document names an IdP (idp.url set), whatever else is wrong with it.
    static func hasIdP(_ doc: INIDocument) -> Bool {
        !(doc.value("idp", "url") ?? "").isEmpty
    }

    /// Checks a document for saving. With `requireIdP` false, a file that is complete except
    /// for the IdP (routing set up before `idp add`) is accepted.
    /// A problem with a key in `changed` is reported by the option that set it.
    func validate(_ doc: INIDocument, requireIdP: Bool = true, changed: Set<String> = []) throws -> JCFedConfig? {
        switch parse(doc) {
        case .success(let r):
            // The module would ignore an unknown key; saving a file with a typo in it would
            // silently leave that setting at its default.
            let unknown = UnknownKeys.errors(r.warnings)
            if !unknown.isEmpty {
                throw ToolFailure(status: ExitStatus.failed, lines: unknown + ["fix or remove the line(s) above first; nothing was changed"])
            }
            return r.config
        case .failure(let e):
            if !requireIdP && !ConfigStore.hasIdP(doc) && e.key == "idp.url" && e.problem == "is required" {
                return nil
            }
            throw ToolFailure(ConfigStore.explain(e, changed: changed))
        }
    }

    /// Writes the document after `validate`, never widening who can read it: an existing file
    /// keeps its mode and group (and owner: root when we are root), a new one is 0644; a file
    /// with an inline idp.client_secret is at most 0600 (the module refuses it readable by others).
    func write(_ doc: INIDocument) throws {
        let existing = FileSystem.info(hostPath).flatMap { $0.isRegular ? $0 : nil }
        let mode = ConfigStore.mode(existing: existing.map { $0.mode }, holdsSecret: ConfigStore.holdsInlineSecret(doc))
        try FileSystem.writeAtomically(hostPath, text: doc.text, mode: mode, owner: context.writeOwner,
                                       group: existing.map { $0.gid })
    }

    /// Whether the document holds the client secret itself (idp.client_secret).
    static func holdsInlineSecret(_ doc: INIDocument) -> Bool {
        !(doc.value("idp", "client_secret") ?? "").isEmpty
    }

    /// The mode to write jcfed.conf with: the existing file's permissions (0644 for a new one),
    /// without set-id, sticky or group/other write bits; at most 0600 when it holds a secret.
    static func mode(existing: UInt32?, holdsSecret: Bool) -> mode_t {
        var m = mode_t((existing ?? 0o644) & 0o755)
        if holdsSecret { m &= 0o600 }
        return m
    }

    /// The fully loaded configuration with the secret, as the module would load it.
    /// Under another root the secret file is read by the module's loader as DIR + path, so a
    /// path that would go through a symbolic link in the tree is refused first.
    func load() -> Result<LoadedConfig, ConfigError> {
        if !context.isSystemRoot, let doc = try? loadDocument(),
           let file = doc.value("idp", "client_secret_file"), file.hasPrefix("/"),
           context.host(file) != context.root + file {
            return .failure(ConfigError(path: hostPath, key: "idp.client_secret_file",
                                        problem: "\(file) goes through a symbolic link under --root \(context.root); not followed"))
        }
        return ConfigLoader.load(path: hostPath, storage: SystemStorage(owner: context.configOwner),
                          hostPrefix: context.isSystemRoot ? "" : context.root)
    }

    /// Unknown keys are errors here too: `enable` starts with this, before any PAM file changes.
    func requireLoaded() throws -> LoadedConfig {
        switch load() {
        case .success(let l):
            let unknown = UnknownKeys.errors(l.warnings)
            if !unknown.isEmpty {
                throw ToolFailure(status: ExitStatus.failed, lines: unknown + ["fix or remove the line(s) above first; nothing was changed"])
            }
            return l
        case .failure(let e):
            if !FileSystem.exists(hostPath) {
                throw ToolFailure("no configuration at \(hostPath); add an identity provider first: jcfed idp add --help")
            }
            throw ToolFailure("configuration is invalid: \(e.description)")
        }
    }

    /// A ConfigError phrased for the command line: a key the command just set is named by its
    /// option; anything else by file, line and key.
    static func explain(_ e: ConfigError, changed: Set<String>) -> String {
        let options: [String: String] = [
            "idp.type": "--type", "idp.name": "--name", "idp.url": "--url", "idp.client_id": "--client-id",
            "idp.ca_file": "--ca-file", "idp.client_secret_file": "--client-secret-file",
        ]
        if let key = e.key, changed.contains(key), let option = options[key] {
            return "\(option): \(e.problem)"
        }
        return e.description
    }
}
