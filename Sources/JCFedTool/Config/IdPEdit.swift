import JCFedCore

/// A change to the [idp] section, as `idp add` and `idp update` request it. Applying it edits
/// the document in place; the result is then checked by the module's ConfigParser, so the
/// tool and the module agree on every rule (https URL, tenant GUID, `common` refused, client
/// id GUID for azure, ...).
struct IdPEdit {
    enum Secret {
        case keep
        case set(String)
        case remove
    }
    enum CAFile {
        case keep
        case set(String)
        case remove
    }

    var type: String?
    var name: String?
    var url: String?
    var clientID: String?
    var secret: Secret = .keep
    var caFile: CAFile = .keep

    /// What applying did, for the writes that follow.
    struct Applied {
        var document: INIDocument
        var changedKeys: Set<String>
        /// Host path of the secret file to write (0600), when a secret was given.
        var secretToWrite: (hostPath: String, secret: String)?
        /// Host path of a secret file no longer referenced, removed after the config is saved.
        var secretToRemove: String?
    }

    func apply(to original: INIDocument, context: ToolContext) throws -> Applied {
        var doc = original
        var changed: Set<String> = []
        func set(_ key: String, _ value: String) throws {
            if let problem = INIDocument.problem(writing: value) {
                throw ToolFailure("\(IdPEdit.option(key)): \(problem)")
            }
            doc.set("idp", key, value)
            changed.insert("idp." + key)
        }

        if let type = type {
            guard IdPType(rawValue: type.lowercased()) != nil else {
                let hint = ["entra", "entraid", "entra-id", "aad", "microsoft"].contains(type.lowercased()) ? " (Microsoft Entra ID is --type azure)" : ""
                throw ToolFailure("--type: must be azure or oidc, not '\(type)'\(hint)", status: ExitStatus.usage)
            }
            try set("type", type.lowercased())
        }
        let effectiveType = (doc.value("idp", "type") ?? IdPType.azure.rawValue).lowercased()
        if let name = name { try set("name", name.trimmingSpaces()) }
        if var url = url?.trimmingSpaces() {
            // An Entra authority has no trailing slash; an OIDC issuer is kept exactly as given
            // (it must equal the provider's `iss`, slash included).
            if effectiveType == IdPType.azure.rawValue {
                while url.hasSuffix("/") { url.removeLast() }
                if let authority = IdPEdit.entraAuthority(fromEndpoint: url), authority != url {
                    throw ToolFailure("--url: an azure url has nothing after the tenant, and \(url) is one of the tenant's endpoints; use --url \(authority)")
                }
            }
            try set("url", url)
        }
        if let clientID = clientID?.trimmingSpaces() {
            // Entra prints GUIDs in either case but always puts the lowercase form in `aud`: the
            // file holds what the token will say, so an id pasted in uppercase cannot lock anyone out.
            try set("client_id", GUID.isValid(clientID) ? clientID.lowercased() : clientID)
        }

        var secretToWrite: (String, String)?
        var secretToRemove: String?
        let configuredSecretFile = doc.value("idp", "client_secret_file").flatMap { $0.isEmpty ? nil : $0 }
        switch secret {
        case .keep: break
        case .set(let value):
            let target = configuredSecretFile ?? ToolContext.defaultSecretFile
            try set("client_secret_file", target)
            // An inline secret and a file together are refused by the module: the file wins.
            if doc.remove("idp", "client_secret") { changed.insert("idp.client_secret") }
            secretToWrite = (context.host(target), value)
        case .remove:
            if doc.remove("idp", "client_secret_file") { changed.insert("idp.client_secret_file") }
            if doc.remove("idp", "client_secret") { changed.insert("idp.client_secret") }
            if let old = configuredSecretFile { secretToRemove = context.host(old) }
        }

        switch caFile {
        case .keep: break
        case .remove:
            if doc.remove("idp", "ca_file") { changed.insert("idp.ca_file") }
        case .set(let path):
            try IdPEdit.checkCAFile(path, context: context)
            try set("ca_file", path)
        }
        return Applied(document: doc, changedKeys: changed,
                       secretToWrite: secretToWrite.map { (hostPath: $0.0, secret: $0.1) },
                       secretToRemove: secretToRemove)
    }

    /// The authority https://<host>/<tenant> for a URL copied from Entra's Endpoints pane
    /// (`.../<tenant>/v2.0`, `.../<tenant>/oauth2/v2.0/authorize`, the metadata document ...);
    /// nil when the URL has no path segment after the tenant.
    static func entraAuthority(fromEndpoint url: String) -> String? {
        guard url.hasPrefix("https://") else { return nil }
        let segments = url.dropFirst("https://".count).split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count > 2, !segments[0].isEmpty, !segments[1].isEmpty else { return nil }
        let known: Set<Substring> = ["v2.0", "oauth2", ".well-known", "saml2", "wsfed", "federationmetadata", "discovery"]
        guard known.contains(Substring(segments[2].lowercased())) else { return nil }
        return "https://\(segments[0])/\(segments[1])"
    }

    /// ca_file is a target path; it must exist under the root and hold PEM certificates.
    static func checkCAFile(_ path: String, context: ToolContext) throws {
        guard path.hasPrefix("/") else { throw ToolFailure("--ca-file: must be an absolute path (as the module will see it)") }
        let host = context.host(path)
        guard let info = FileSystem.info(host), info.isRegular else {
            throw ToolFailure("--ca-file: \(host) is not a regular file")
        }
        guard let text = FileSystem.readText(host, maxBytes: 1 << 20), text.contains("-----BEGIN CERTIFICATE-----") else {
            throw ToolFailure("--ca-file: \(host) holds no PEM certificate")
        }
    }

    static func option(_ key: String) -> String {
        switch key {
        case "client_id": return "--client-id"
        case "ca_file": return "--ca-file"
        case "client_secret_file": return "--client-secret-file"
        default: return "--" + key
        }
    }

    /// Saves an applied edit: the secret first (so the config never names a secret file that
    /// is not there yet), then the configuration; then an unreferenced old secret is removed.
    static func save(_ applied: Applied, store: ConfigStore) throws {
        if let s = applied.secretToWrite {
            try FileSystem.writeAtomically(s.hostPath, text: s.secret + "\n", mode: 0o600, owner: store.context.writeOwner)
        }
        try store.write(applied.document)
        if let old = applied.secretToRemove, applied.secretToWrite?.hostPath != old {
            try FileSystem.remove(old)
        }
    }

    /// A new jcfed.conf for `idp add` on a system without one.
    static let newFileHeader = INIDocument(text: """
        # /etc/jcfed/jcfed.conf: federated device authentication, see jcfed.conf(5).
        # Written by `jcfed idp add`. Edit by hand or with jcfed; comments are kept.

        [idp]

        """)
}
