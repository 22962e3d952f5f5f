import JCFedCore

/// The HTTP exchanges of `jcfed idp test`, made with the module's own pieces: the discovery URL
/// and its validation (Discovery), the key set parser (JWKSet), the device-code and token
/// requests (DeviceFlowRequests) and their replies (IdPAnswer). What the tool
/// adds is the transport-level diagnosis (TLS, status, the Date header) and one poll to tell a
/// public app registration from a confidential one.
struct IdPProbe {
    let idp: IdPSettings
    let secret: String?
    let transport: HTTPTransport

    /// The discovery document as fetched, and what the module makes of it.
    struct Fetched {
        var metadata: Result<ProviderMetadata, DiscoveryError>
        /// The response's Date header, for the clock check.
        var date: String?
    }

    /// An OAuth error as shown to the admin: never the description, always the AADSTS code and
    /// the correlation id Microsoft support asks for.
    struct OAuthError {
        var error: String
        var aadsts: Int?
        var correlationID: String?
        var httpStatus: Int

        init(error: String, aadsts: Int?, correlationID: String?, httpStatus: Int) {
            self.error = error
            self.aadsts = aadsts
            self.correlationID = correlationID
            self.httpStatus = httpStatus
        }

        init(_ e: IdPError) {
            self.init(error: e.error, aadsts: e.codes.first, correlationID: e.correlationID, httpStatus: e.httpStatus)
        }

        var label: String {
            var s = error + " (" + (aadsts.map { "AADSTS\($0), " } ?? "") + "HTTP \(httpStatus))"
            if let c = correlationID { s += ", correlation id \(c)" }
            return s
        }
    }

    enum Failure: Error {
        case transport(TransportError, url: String)
        case http(Int, url: String, OAuthError?)
        case malformed(String)
    }

    var discoveryURL: String { Discovery.documentURL(for: idp) }

    private func send(_ request: HTTPRequest) -> Result<HTTPResponse, Failure> {
        transport.send(request, timeoutSeconds: idp.httpTimeout).mapError { .transport($0, url: request.url) }
    }

    /// An error body of a discovery request (Entra: AADSTS90002 for an unknown tenant).
    private static func oauthError(_ r: HTTPResponse) -> OAuthError? {
        guard case .success(let body) = JSONParser.parse(r.body), let error = body["error"]?.stringValue else { return nil }
        let code = body["error_codes"]?.arrayValue?.first?.int64Value.map { Int($0) }
        return OAuthError(error: error, aadsts: code, correlationID: body["correlation_id"]?.stringValue, httpStatus: r.status)
    }

    func discovery() -> Result<Fetched, Failure> {
        let url = discoveryURL
        switch send(HTTPRequest(method: .get, url: url, headers: [("Accept", "application/json")])) {
        case .failure(let f): return .failure(f)
        case .success(let r):
            guard r.status == 200 else { return .failure(.http(r.status, url: url, IdPProbe.oauthError(r))) }
            return .success(Fetched(metadata: Discovery.validate(r.body, settings: idp), date: r.headers["date"]))
        }
    }

    /// The signing keys, parsed as the module parses them: usable keys, and the skipped ones
    /// with the reason (RSA under 2048 bits, not for signatures, ...).
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

    /// What the app registration said to a device-code request and one poll.
    enum AppAnswer {
        /// authorization_pending (or slow_down): device flow works with these credentials.
        case allowed
        case refused(OAuthError, during: String)
        case unusable(String)
    }

    func appRegistration(_ metadata: ProviderMetadata) -> Result<AppAnswer, Failure> {
        let requests = DeviceFlowRequests(deviceAuthorizationEndpoint: metadata.deviceAuthorizationEndpoint,
                                          tokenEndpoint: metadata.tokenEndpoint, clientID: idp.clientID,
                                          clientSecret: secret, scopes: idp.scopes)
        let authorization: DeviceAuthorization
        switch send(requests.deviceCode()) {
        case .failure(let f): return .failure(f)
        case .success(let r):
            switch IdPAnswer<DeviceAuthorization>(r, receivedAt: SystemClock().wallSeconds()) {
            case .success(let a): authorization = a
            case .error(let e): return .success(.refused(OAuthError(e), during: "device code request refused"))
            case .rateLimited: return .success(.unusable("device code request: rate limited (HTTP 429); try again later"))
            case .unavailable(let s): return .failure(.http(s, url: metadata.deviceAuthorizationEndpoint, nil))
            case .garbage(let s, let why): return .success(.unusable("device code response (HTTP \(s)): \(why)"))
            }
        }
        // The device code is a bearer secret: used for this one poll, never shown or logged.
        switch send(requests.token(deviceCode: authorization.deviceCode)) {
        case .failure(let f): return .failure(f)
        case .success(let r):
            switch IdPAnswer<IDToken>(r, receivedAt: SystemClock().wallSeconds()) {
            case .error(let e) where e.error == "authorization_pending" || e.error == "slow_down": return .success(.allowed)
            case .error(let e): return .success(.refused(OAuthError(e), during: "token request refused"))
            case .success: return .success(.unusable("the token endpoint issued a token before anyone signed in"))
            case .rateLimited: return .success(.allowed)
            case .unavailable(let s): return .failure(.http(s, url: metadata.tokenEndpoint, nil))
            case .garbage(let s, let why): return .success(.unusable("token response (HTTP \(s)): \(why)"))
            }
        }
    }
}
