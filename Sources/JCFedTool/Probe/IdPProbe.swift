import JCFedCore

/// The HTTP calls `jcfed idp test` makes, built directly on the core's HTTPTransport.
///
/// The key set is parsed by the core's JWKSet, as in the module. AFTER MERGE (branch `flow`):
/// switch `discovery()` to the public ProviderClient(settings:transport:cache: nil, ...)
/// .metadata() (it also substitutes {tenantid} and checks the issuer as the module does), and
/// `requestDeviceCode` / `pollOnce` to DeviceFlowRequests + DeviceCodeReply / TokenReply, so the
/// tool checks exactly what the module parses. The checks and hints in IdPChecks stay.
struct IdPProbe {
    let idp: IdPSettings
    let secret: String?
    let transport: HTTPTransport

    struct Discovery {
        var issuer: String
        var jwksURI: String
        var deviceAuthorizationEndpoint: String?
        var tokenEndpoint: String?
        /// The response's Date header, for the clock check.
        var date: String?
    }

    /// An OAuth error body: `error`, and for Entra the AADSTS number and correlation id.
    struct OAuthError {
        var error: String
        var aadsts: Int?
        var correlationID: String?

        var label: String {
            var s = error
            if let code = aadsts { s += " (AADSTS\(code))" }
            if let c = correlationID { s += ", correlation id \(c)" }
            return s
        }
    }

    enum Failure: Error {
        case transport(TransportError, url: String)
        case http(Int, url: String, OAuthError?)
        case malformed(String)
    }

    /// azure: `{authority}/v2.0/.well-known/openid-configuration`; oidc: `{issuer}/.well-known/openid-configuration`.
    var discoveryURL: String {
        var base = idp.url
        while base.hasSuffix("/") { base.removeLast() }
        return idp.type == .azure ? base + "/v2.0/.well-known/openid-configuration" : base + "/.well-known/openid-configuration"
    }

    /// The issuer the ID tokens must carry: azure `{authority}/v2.0` (tenant lower-cased), oidc the url.
    var expectedIssuer: String {
        guard idp.type == .azure, let tenant = idp.tenantID else { return idp.url }
        var parts = idp.url.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if !parts.isEmpty { parts[parts.count - 1] = tenant }
        return parts.joined(separator: "/") + "/v2.0"
    }

    private func json(_ response: HTTPResponse) -> JSONValue? {
        if case .success(let v) = JSONParser.parse(response.body) { return v }
        return nil
    }

    func oauthError(_ response: HTTPResponse) -> OAuthError? {
        guard let body = json(response), let error = body["error"]?.stringValue else { return nil }
        let code = body["error_codes"]?.arrayValue?.first?.int64Value.map { Int($0) }
        return OAuthError(error: error, aadsts: code, correlationID: body["correlation_id"]?.stringValue)
    }

    private func send(_ request: HTTPRequest) -> Result<HTTPResponse, Failure> {
        transport.send(request, timeoutSeconds: idp.httpTimeout).mapError { .transport($0, url: request.url) }
    }

    func discovery() -> Result<Discovery, Failure> {
        let url = discoveryURL
        switch send(HTTPRequest(method: .get, url: url, headers: [("Accept", "application/json")])) {
        case .failure(let f): return .failure(f)
        case .success(let r):
            guard r.status == 200 else { return .failure(.http(r.status, url: url, oauthError(r))) }
            guard let body = json(r) else { return .failure(.malformed("discovery document is not valid JSON")) }
            guard let issuer = body["issuer"]?.stringValue else { return .failure(.malformed("discovery has no issuer")) }
            guard let jwks = body["jwks_uri"]?.stringValue else { return .failure(.malformed("discovery has no jwks_uri")) }
            return .success(Discovery(issuer: issuer, jwksURI: jwks,
                                      deviceAuthorizationEndpoint: body["device_authorization_endpoint"]?.stringValue,
                                      tokenEndpoint: body["token_endpoint"]?.stringValue,
                                      date: r.headers["date"]))
        }
    }

    /// The signing keys, parsed by the core's JWKSet exactly as the module will: usable keys,
    /// and the ones it skips with the reason (RSA under 2048 bits, not for signatures, ...).
    func keys(at url: String) -> Result<JWKSet, Failure> {
        switch send(HTTPRequest(method: .get, url: url, headers: [("Accept", "application/json")])) {
        case .failure(let f): return .failure(f)
        case .success(let r):
            guard r.status == 200 else { return .failure(.http(r.status, url: url, nil)) }
            switch JWKSet.parse(r.body) {
            case .success(let set): return .success(set)
            case .failure(let e): return .failure(.malformed("the key set \(e)"))
            }
        }
    }

    enum DeviceCodeAnswer {
        /// A code was issued; the device code itself is kept only for the one poll, never shown.
        case issued(deviceCode: String)
        case refused(OAuthError?, status: Int)
    }

    private func clientFields() -> [(String, String)] {
        var fields = [("client_id", idp.clientID)]
        if let s = secret { fields.append(("client_secret", s)) }
        return fields
    }

    func requestDeviceCode(at endpoint: String) -> Result<DeviceCodeAnswer, Failure> {
        let fields = clientFields() + [("scope", idp.scopes.joined(separator: " "))]
        switch send(HTTPRequest.form(endpoint, fields)) {
        case .failure(let f): return .failure(f)
        case .success(let r):
            // Entra has answered errors here with HTTP 200: the user_code decides, not the status.
            if let body = json(r), body["user_code"]?.stringValue != nil, let code = body["device_code"]?.stringValue {
                return .success(.issued(deviceCode: code))
            }
            if r.status >= 500 { return .failure(.http(r.status, url: endpoint, oauthError(r))) }
            return .success(.refused(oauthError(r), status: r.status))
        }
    }

    enum PollAnswer {
        case pending
        case error(OAuthError?, status: Int)
    }

    /// One token request for a fresh code: a public client gets authorization_pending; a
    /// confidential one without its secret gets invalid_client (AADSTS7000218).
    func pollOnce(at endpoint: String, deviceCode: String) -> Result<PollAnswer, Failure> {
        let fields = [("grant_type", "urn:ietf:params:oauth:grant-type:device_code")] + clientFields()
            + [("device_code", deviceCode)]
        switch send(HTTPRequest.form(endpoint, fields)) {
        case .failure(let f): return .failure(f)
        case .success(let r):
            if r.status >= 500 { return .failure(.http(r.status, url: endpoint, oauthError(r))) }
            let e = oauthError(r)
            if let e = e, e.error == "authorization_pending" || e.error == "slow_down" { return .success(.pending) }
            return .success(.error(e, status: r.status))
        }
    }
}
