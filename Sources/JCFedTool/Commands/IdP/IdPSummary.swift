import JCFedAdmin
import JCFedCore

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
