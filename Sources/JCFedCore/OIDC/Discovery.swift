/// Where the discovery document lives and what it must say, per `idp.type`:
/// - azure: `{url}/v2.0/.well-known/openid-configuration`; `url` must end in a tenant GUID, and
///   the document's `issuer`, after `{tenantid}` is replaced by that GUID, must be exactly
///   `https://<host>/<tid>/v2.0` (so a multi-tenant document can never pass for the tenant's);
/// - oidc: `{issuer}/.well-known/openid-configuration`; `issuer` must equal `url` exactly
///   (OpenID Connect Discovery 1.0 §4.3).
/// In both, device_authorization_endpoint, token_endpoint and jwks_uri must be https URLs.
public enum Discovery {
    public static let tenantPlaceholder = "{tenantid}"

    public static func documentURL(for settings: IdPSettings) -> String {
        switch settings.type {
        case .azure:
            return settings.url + "/v2.0/.well-known/openid-configuration"
        case .oidc:
            var base = Substring(settings.url)
            while base.hasSuffix("/") { base = base.dropLast() }
            return String(base) + "/.well-known/openid-configuration"
        }
    }

    /// The issuer an azure document must name (after substitution): the configured authority's
    /// scheme and host, the tenant GUID in lower case, then `/v2.0`.
    public static func azureIssuer(for settings: IdPSettings) -> Result<String, DiscoveryError> {
        guard let tid = settings.tenantID else {
            let last = settings.url.split(separator: "/").last.map(String.init) ?? settings.url
            return .failure(.tenantRequired(last))
        }
        let rest = settings.url.dropFirst("https://".count)
        guard settings.url.hasPrefix("https://"), let host = rest.split(separator: "/").first, !host.isEmpty else {
            return .failure(.notHTTPS("idp.url"))
        }
        // Host names are case-insensitive; Entra's issuer has them in lower case.
        return .success("https://\(host.lowercased())/\(tid)/v2.0")
    }

    /// Checks a discovery document against the configuration.
    public static func validate(_ bytes: [UInt8], settings: IdPSettings) -> Result<ProviderMetadata, DiscoveryError> {
        guard case .success(let doc) = JSONParser.parse(bytes, maxBytes: 256 * 1024), let o = doc.objectValue else {
            return .failure(.malformed("not a JSON object"))
        }
        guard let issuer = o["issuer"]?.stringValue, !issuer.isEmpty else { return .failure(.missing("issuer")) }

        let expectedTokenIssuer: String
        switch settings.type {
        case .azure:
            let expected: String
            switch azureIssuer(for: settings) {
            case .failure(let e): return .failure(e)
            case .success(let s): expected = s
            }
            let tid = settings.tenantID ?? ""
            let substituted = replacing(tenantPlaceholder, with: tid, in: issuer)
            guard substituted == expected else { return .failure(.issuerMismatch(expected: expected, found: issuer)) }
            expectedTokenIssuer = substituted
        case .oidc:
            guard issuer == settings.url else { return .failure(.issuerMismatch(expected: settings.url, found: issuer)) }
            expectedTokenIssuer = issuer
        }

        func endpoint(_ field: String) -> Result<String, DiscoveryError> {
            guard let value = o[field]?.stringValue, !value.isEmpty else { return .failure(.missing(field)) }
            guard isHTTPSEndpoint(value) else { return .failure(.notHTTPS(field)) }
            return .success(value)
        }
        let device: String, token: String, jwks: String
        switch (endpoint("device_authorization_endpoint"), endpoint("token_endpoint"), endpoint("jwks_uri")) {
        case (.success(let d), .success(let t), .success(let j)): (device, token, jwks) = (d, t, j)
        case (.failure(let e), _, _), (_, .failure(let e), _), (_, _, .failure(let e)): return .failure(e)
        }
        let algorithms = (o["id_token_signing_alg_values_supported"]?.arrayValue ?? []).compactMap { $0.stringValue }
        let metadata = ProviderMetadata(issuer: issuer, expectedTokenIssuer: expectedTokenIssuer,
                                        deviceAuthorizationEndpoint: device, tokenEndpoint: token,
                                        jwksURI: jwks, signingAlgorithms: algorithms)
        guard !allowedAlgorithms(metadata, settings: settings).isEmpty else { return .failure(.noUsableAlgorithm) }
        return .success(metadata)
    }

    /// Entra: RS256 only. oidc: our allow-list, narrowed to what the provider says it uses.
    public static func allowedAlgorithms(_ metadata: ProviderMetadata, settings: IdPSettings) -> Set<JWSAlgorithm> {
        switch settings.type {
        case .azure:
            return JWSAlgorithm.entraAllowList
        case .oidc:
            let stated = Set(metadata.signingAlgorithms.compactMap(JWSAlgorithm.init(rawValue:)))
            return metadata.signingAlgorithms.isEmpty ? JWSAlgorithm.oidcAllowList
                                                     : JWSAlgorithm.oidcAllowList.intersection(stated)
        }
    }

    /// https, a host, printable ASCII, no user info or fragment.
    static func isHTTPSEndpoint(_ s: String) -> Bool {
        guard s.hasPrefix("https://"), s.utf8.count <= 2048,
              s.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), !s.contains("#") else { return false }
        let rest = s.dropFirst("https://".count)
        guard let authority = rest.split(separator: "/", omittingEmptySubsequences: false).first,
              !authority.isEmpty, !authority.contains("@") else { return false }
        return true
    }

    /// Replaces every occurrence of `target` (byte-wise; both are ASCII here).
    static func replacing(_ target: String, with replacement: String, in s: String) -> String {
        let t = Array(target.utf8), bytes = Array(s.utf8)
        guard !t.isEmpty else { return s }
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if i + t.count <= bytes.count && Array(bytes[i..<(i + t.count)]) == t {
                out.append(contentsOf: replacement.utf8)
                i += t.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
