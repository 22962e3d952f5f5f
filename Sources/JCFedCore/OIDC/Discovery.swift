/// Where the discovery document lives and what it must say, per `idp.type`:
/// - azure: `{url}/v2.0/.well-known/openid-configuration`; `url` must end in a tenant GUID, and
///   the document's `issuer`, after `{tenantid}` is replaced by that GUID, must be exactly
///   `https://<host>/<tid>/v2.0` (so a multi-tenant document can never pass for the tenant's);
/// - oidc: `{issuer}/.well-known/openid-configuration`; `issuer` must equal `url` exactly
///   (OpenID Connect Discovery 1.0 §4.3).
/// In both, device_authorization_endpoint, token_endpoint and jwks_uri must be https URLs. For
/// azure they must also be on the authority's host and port (those of `url`): Entra serves them
/// nowhere else, so any other host is a document that is not Entra's. For oidc other hosts are
/// allowed (some providers use a separate token host) and `offAuthorityEndpoints` names them so
/// the login can log them.
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
        guard settings.url.startsWithASCII("https://"), let host = hostOfHTTPS(settings.url) else {
            return .failure(.notHTTPS("idp.url"))
        }
        return .success("https://\(host)/\(tid)/v2.0")
    }

    /// The host of an https URL in lower case (host names are case-insensitive; Entra's issuer
    /// has them in lower case): the first non-empty piece between slashes after the scheme. An
    /// ASCII URL is read on bytes, where they are its Characters; any other by Characters.
    static func hostOfHTTPS(_ url: String) -> String? {
        let bytes = Array(url.utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }) else {
            let rest = url.dropFirst("https://".count)
            guard let host = rest.split(separator: "/").first, !host.isEmpty else { return nil }
            return host.lowercased()
        }
        var start = min(8, bytes.count)
        while start < bytes.count && bytes[start] == UInt8(ascii: "/") { start += 1 }
        var end = start
        while end < bytes.count && bytes[end] != UInt8(ascii: "/") { end += 1 }
        guard end > start else { return nil }
        return IdentifierKey.asciiLowered(bytes[start..<end])
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
        if settings.type == .azure {
            let home = authority(of: settings.url) ?? ""
            for (field, url) in [("device_authorization_endpoint", device), ("token_endpoint", token), ("jwks_uri", jwks)]
            where authority(of: url) != home || home.isEmpty {
                return .failure(.offAuthorityHost(field: field, url: url, host: home))
            }
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

    /// The endpoints (field, URL) that are not on the host and port of `settings.url`: always
    /// none for azure (validate refuses them); for oidc, what the login logs at notice.
    public static func offAuthorityEndpoints(_ metadata: ProviderMetadata, settings: IdPSettings) -> [(field: String, url: String)] {
        let home = authority(of: settings.url)
        return [("device_authorization_endpoint", metadata.deviceAuthorizationEndpoint),
                ("token_endpoint", metadata.tokenEndpoint), ("jwks_uri", metadata.jwksURI)]
            .filter { home == nil || authority(of: $0.1) != home }
            .map { (field: $0.0, url: $0.1) }
    }

    /// The host and port of an https URL, compared as the server is reached: host in lower
    /// case, the default port 443 made explicit, e.g. "login.microsoftonline.com:443",
    /// "[::1]:8443". nil when `url` is not https or has no host.
    public static func authority(of url: String) -> String? {
        guard url.startsWithASCII("https://") else { return nil }
        let rest = url.utf8.dropFirst("https://".count)
        let end = rest.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) ?? rest.endIndex
        let raw = Array(rest[rest.startIndex..<end])
        guard !raw.isEmpty, !raw.contains(UInt8(ascii: "@")) else { return nil }
        var host: [UInt8], port: [UInt8]
        if raw.first == UInt8(ascii: "[") {
            guard let close = raw.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            host = Array(raw[0...close])
            let after = raw[(close + 1)...]
            if after.isEmpty { port = [] }
            else if after.first == UInt8(ascii: ":") { port = Array(after.dropFirst()) }
            else { return nil }
        } else if let colon = raw.firstIndex(of: UInt8(ascii: ":")) {
            host = Array(raw[..<colon])
            port = Array(raw[(colon + 1)...])
        } else {
            host = raw
            port = []
        }
        guard host.count > 0, port.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), port.count <= 5 else { return nil }
        while port.count > 1 && port.first == UInt8(ascii: "0") { port.removeFirst() }
        if port.isEmpty { port = Array("443".utf8) }
        host = host.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        return String(decoding: host, as: UTF8.self) + ":" + String(decoding: port, as: UTF8.self)
    }

    /// https, a host, printable ASCII, no user info or fragment.
    /// On bytes: printable ASCII has no multi-scalar characters, so this is the Character-wise
    /// check it replaced, without its cost (it runs for three endpoints at every login).
    static func isHTTPSEndpoint(_ s: String) -> Bool {
        let bytes = s.utf8
        guard bytes.count <= 2048,
              bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "#") }),
              bytes.starts(with: "https://".utf8) else { return false }
        let authority = bytes.dropFirst("https://".utf8.count).prefix(while: { $0 != UInt8(ascii: "/") })
        return !authority.isEmpty && !authority.contains(UInt8(ascii: "@"))
    }

    /// Replaces every occurrence of `target` (byte-wise; both are ASCII here).
    static func replacing(_ target: String, with replacement: String, in s: String) -> String {
        let t = Array(target.utf8), bytes = Array(s.utf8)
        guard !t.isEmpty else { return s }
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if i + t.count <= bytes.count && bytes[i..<(i + t.count)].elementsEqual(t) {
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
