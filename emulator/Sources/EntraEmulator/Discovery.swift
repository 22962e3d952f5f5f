// OpenID discovery documents (per tenant, and the `{tenantid}` templates of common/organizations) and
// the instance discovery endpoint MSAL calls unless `instance_discovery=False`.
import Foundation

enum Discovery {
    static let multiTenantAliases: Set<String> = ["common", "organizations", "consumers"]

    /// `GET /{tenant}/v2.0/.well-known/openid-configuration`
    static func openIDConfiguration(
        tenantSegment: String, fixture: Fixture, baseURL: String, issuerMismatch: Bool
    ) -> Reply {
        let lower = tenantSegment.lowercased()
        let pathTenant: String
        let issuerTenant: String
        let region: JSON
        if multiTenantAliases.contains(lower) {
            pathTenant = lower
            issuerTenant = "{tenantid}"
            region = .null
        } else if let tenant = fixture.tenant(named: tenantSegment) {
            pathTenant = tenant.id
            issuerTenant = tenant.id
            region = "EU"
        } else {
            return EntraError.tenantNotFound(tenantSegment).reply(baseURL: baseURL, correlationID: nil)
        }
        let authority = baseURL + "/" + pathTenant
        var issuer = baseURL + "/" + issuerTenant + "/v2.0"
        if issuerMismatch {
            issuer = baseURL + "/00000000-0000-0000-0000-0000000000ff/v2.0"
        }
        var doc: JSON = [
            "token_endpoint": .string(authority + "/oauth2/v2.0/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": .string(authority + "/discovery/v2.0/keys"),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": .string(issuer),
            "request_uri_parameter_supported": false,
            "userinfo_endpoint": .string(baseURL + "/oidc/userinfo"),
            "authorization_endpoint": .string(authority + "/oauth2/v2.0/authorize"),
            "device_authorization_endpoint": .string(authority + "/oauth2/v2.0/devicecode"),
            "http_logout_supported": true,
            "frontchannel_logout_supported": true,
            "end_session_endpoint": .string(authority + "/oauth2/v2.0/logout"),
            "claims_supported": [
                "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
                "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid",
                "ver", "at_hash", "c_hash", "email",
            ],
            "kerberos_endpoint": .string(authority + "/kerberos"),
            "tenant_region_scope": region,
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        ]
        if region == .null { doc = doc.setting("tenant_region_scope", .null) }
        return Reply.json(doc, cache: "max-age=86400, private")
    }

    /// `GET /common/discovery/instance?api-version=1.1&authorization_endpoint=...`
    static func instance(query: [String: String], baseURL: String, hostAliases: [String]) -> Reply {
        guard let endpoint = query["authorization_endpoint"], let url = URL(string: endpoint),
            let host = url.host
        else {
            return EntraError.missingParameter("authorization_endpoint").reply(baseURL: baseURL, correlationID: nil)
        }
        let hostPort = url.port.map { "\(host):\($0)" } ?? host
        guard hostAliases.contains(hostPort.lowercased()) else {
            return EntraError.unknownInstance.reply(baseURL: baseURL, correlationID: nil)
        }
        let tenant = url.path.split(separator: "/").first.map(String.init) ?? "common"
        let body: JSON = [
            "tenant_discovery_endpoint": .string(baseURL + "/" + tenant + "/v2.0/.well-known/openid-configuration"),
            "api-version": "1.1",
            "metadata": [
                [
                    "preferred_network": .string(hostAliases[0]),
                    "preferred_cache": .string(hostAliases[0]),
                    "aliases": .strings(hostAliases),
                ]
            ],
        ]
        return Reply.json(body, cache: "max-age=86400, private")
    }
}
