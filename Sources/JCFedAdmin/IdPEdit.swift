import JCFedCore

/// A change to the [idp] section, as `idp add` and `idp update` request it. Applying it edits
/// the document in place; the result is then checked by the module's ConfigParser, so the
/// tool and the module agree on every rule (https URL, tenant GUID, `common` refused, client
/// id GUID for azure, ...).
package struct IdPEdit {
    /// What to do with an optional setting (the client secret, the CA file).
    package enum Change {
        case keep
        case set(String)
        case remove
    }

    package var type: String?
    package var name: String?
    package var url: String?
    package var clientID: String?
    package var secret: Change = .keep
    package var caFile: Change = .keep

    /// What applying did, for the writes that follow.
    package struct Applied {
        package var document: INIDocument
        package var changedKeys: Set<String>
        /// Host path of the secret file to write (0600), when a secret was given.
        package var secretToWrite: (hostPath: String, secret: String)?
        /// Host path of a secret file no longer referenced, removed after the config is saved.
        package var secretToRemove: String?
    }

    package init() {}

    /// Applies the change to a document. `host` turns a path as the module sees it into one this
    /// process can open (--root); `checkCAFile` checks a --ca-file before it is written.
    package func apply(to original: INIDocument, host: (String) -> String, checkCAFile: (String) throws -> Void) throws -> Applied {
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
            let target = configuredSecretFile ?? IdPEdit.defaultSecretFile
            try set("client_secret_file", target)
            // An inline secret and a file together are refused by the module: the file wins.
            if doc.remove("idp", "client_secret") { changed.insert("idp.client_secret") }
            secretToWrite = (host(target), value)
        case .remove:
            if doc.remove("idp", "client_secret_file") { changed.insert("idp.client_secret_file") }
            if doc.remove("idp", "client_secret") { changed.insert("idp.client_secret") }
            if let old = configuredSecretFile { secretToRemove = host(old) }
        }

        switch caFile {
        case .keep: break
        case .remove:
            if doc.remove("idp", "ca_file") { changed.insert("idp.ca_file") }
        case .set(let path):
            try checkCAFile(path)
            try set("ca_file", path)
        }
        return Applied(document: doc, changedKeys: changed,
                       secretToWrite: secretToWrite.map { (hostPath: $0.0, secret: $0.1) },
                       secretToRemove: secretToRemove)
    }

    /// The authority https://<host>/<tenant> for a URL copied from Entra's Endpoints pane
    /// (`.../<tenant>/v2.0`, `.../<tenant>/oauth2/v2.0/authorize`, the metadata document ...);
    /// nil when the URL has no path segment after the tenant.
    package static func entraAuthority(fromEndpoint url: String) -> String? {
        guard url.hasPrefix("https://") else { return nil }
        let segments = url.dropFirst("https://".count).split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count > 2, !segments[0].isEmpty, !segments[1].isEmpty else { return nil }
        let known: Set<Substring> = ["v2.0", "oauth2", ".well-known", "saml2", "wsfed", "federationmetadata", "discovery"]
        guard known.contains(Substring(segments[2].lowercased())) else { return nil }
        return "https://\(segments[0])/\(segments[1])"
    }

    package static func option(_ key: String) -> String {
        switch key {
        case "client_id": return "--client-id"
        case "ca_file": return "--ca-file"
        case "client_secret_file": return "--client-secret-file"
        default: return "--" + key
        }
    }

    /// Where `--client-secret-file`/`--client-secret-stdin` put the secret when jcfed.conf names no file.
    package static let defaultSecretFile = "/etc/jcfed/client_secret"

    /// A new jcfed.conf for `idp add` on a system without one.
    package static let newFileHeader = INIDocument(text: """
        # /etc/jcfed/jcfed.conf: federated device authentication, see jcfed.conf(5).
        # Written by `jcfed idp add`. Edit by hand or with jcfed; comments are kept.

        [idp]

        """)
}
