import ArgumentParser
import JCFedCore

struct IdPShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show the configured identity provider (never the secret).",
        discussion: "The client secret is shown only as set (with its file's mode) or unset.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() throws {
        try guarded {
            let context = try global.context()
            let store = ConfigStore(context: context)
            let doc = try store.requireDocument()
            guard ConfigStore.hasIdP(doc) else { throw ToolFailure("no identity provider is configured") }
            let config: JCFedConfig
            switch store.parse(doc) {
            case .success(let r): config = r.config
            case .failure(let e): throw ToolFailure("configuration is invalid: \(e.description)")
            }
            let summary = IdPSummary(config.idp, context: context)
            if json {
                Terminal.out(summary.json(configPath: store.hostPath).render())
            } else {
                for line in summary.lines(configPath: store.hostPath) { Terminal.out(line) }
            }
        }
    }
}

/// What `idp show` and `status` say about the IdP.
struct IdPSummary {
    let idp: IdPSettings
    let secret: SecretState

    enum SecretState {
        case unset
        case inline
        case file(target: String, mode: String?)

        var text: String {
            switch self {
            case .unset: return "unset (public client)"
            case .inline: return "set inline in jcfed.conf (prefer client_secret_file)"
            case .file(let path, let mode?): return "set (mode \(mode), \(path))"
            case .file(let path, nil): return "MISSING: \(path) does not exist"
            }
        }
    }

    init(_ idp: IdPSettings, context: ToolContext) {
        self.idp = idp
        if let path = idp.clientSecretFile {
            secret = .file(target: path, mode: FileSystem.info(context.host(path))?.permissions)
        } else if idp.clientSecret != nil {
            secret = .inline
        } else {
            secret = .unset
        }
    }

    var typeText: String { idp.type == .azure ? "azure (Microsoft Entra ID)" : "oidc (OpenID Connect)" }

    func lines(configPath: String) -> [String] {
        var out = [
            "type:          \(typeText)",
            "name:          \(idp.name)",
            "url:           \(idp.url)",
        ]
        if idp.type == .azure { out.append("tenant:        \(idp.tenantID ?? "-")") }
        out += [
            "client id:     \(idp.clientID)",
            "client secret: \(secret.text)",
            "scopes:        \(idp.scopes.joined(separator: " "))",
            "ca file:       \(idp.caFile ?? "(system trust store only)")",
            "proxy:         \(idp.proxy ?? "(from the environment)")",
            "timeouts:      http \(idp.httpTimeout) s, login \(idp.loginTimeout) s, clock skew \(idp.clockSkew) s",
            "config:        \(configPath)",
        ]
        return out
    }

    func json(configPath: String) -> JSONOutput {
        let secretJSON: JSONOutput
        switch secret {
        case .unset: secretJSON = .object([("set", .bool(false))])
        case .inline: secretJSON = .object([("set", .bool(true)), ("inline", .bool(true))])
        case .file(let path, let mode):
            secretJSON = .object([("set", .bool(mode != nil)), ("file", .string(path)), ("mode", .optional(mode))])
        }
        return .object([
            ("type", .string(idp.type.rawValue)),
            ("name", .string(idp.name)),
            ("url", .string(idp.url)),
            ("tenant", .optional(idp.tenantID)),
            ("client_id", .string(idp.clientID)),
            ("client_secret", secretJSON),
            ("scopes", .array(idp.scopes.map { .string($0) })),
            ("ca_file", .optional(idp.caFile)),
            ("proxy", .optional(idp.proxy)),
            ("http_timeout", .int(Int64(idp.httpTimeout))),
            ("login_timeout", .int(Int64(idp.loginTimeout))),
            ("clock_skew", .int(Int64(idp.clockSkew))),
            ("config", .string(configPath)),
        ])
    }
}
