/// Gets the provider's metadata and signing keys for one login: from the cache when it holds a
/// fresh copy (no request at all), else over the login's transport, storing what was fetched.
/// Everything fetched is validated before it is cached, and everything read from the cache is
/// validated again, so a damaged file only costs a fetch.
public final class ProviderClient {
    let settings: IdPSettings
    let transport: HTTPTransport
    let cache: MetadataCache?
    let clock: Clock
    let budget: RequestBudget
    let log: LogSink
    /// True once the keys in use came from the network during this login: refreshing them again
    /// for an unknown `kid` could not help.
    public private(set) var keysFetchedNow = false

    /// For callers outside the login (e.g. `jcfed idp test`): requests are bounded by
    /// `http_timeout` and by `deadlineMillis` on the clock's monotonic scale.
    public convenience init(settings: IdPSettings, transport: HTTPTransport, cache: MetadataCache?, clock: Clock,
                            deadlineMillis: Int64, log: LogSink) {
        self.init(settings: settings, transport: transport, cache: cache, clock: clock,
                  budget: RequestBudget(clock: clock, deadline: deadlineMillis, httpTimeout: settings.httpTimeout), log: log)
    }

    init(settings: IdPSettings, transport: HTTPTransport, cache: MetadataCache?, clock: Clock,
         budget: RequestBudget, log: LogSink) {
        self.settings = settings
        self.transport = transport
        self.cache = cache
        self.clock = clock
        self.budget = budget
        self.log = log
    }

    public func metadata() -> Result<ProviderMetadata, DiscoveryError> {
        if settings.type == .azure, case .failure(let e) = Discovery.azureIssuer(for: settings) {
            return .failure(e)
        }
        let url = Discovery.documentURL(for: settings)
        if let cached = cache?.read(url: url, now: clock.wallSeconds()) {
            if case .success(let m) = Discovery.validate(cached, settings: settings) { return .success(m) }
            log.log(.debug, "cached discovery document is unusable; fetching it again")
        }
        let body: [UInt8]
        switch fetch(url) {
        case .failure(let e): return .failure(e)
        case .success(let b): body = b
        }
        let result = Discovery.validate(body, settings: settings)
        if case .success(let m) = result {
            // oidc only (azure refuses them): once per fetched document, not per cached read.
            for (field, endpoint) in Discovery.offAuthorityEndpoints(m, settings: settings) {
                log.log(.notice, "discovery: \(field) '\(SafeText.field(endpoint, max: 200))' is not on the host of idp.url")
            }
            cache?.write(url: url, body: body, now: clock.wallSeconds())
        }
        return result
    }

    public func keys(_ metadata: ProviderMetadata) -> Result<[JWK], DiscoveryError> {
        if let cached = cache?.read(url: metadata.jwksURI, now: clock.wallSeconds()) {
            if case .success(let set) = JWKSet.parse(cached), !set.keys.isEmpty { return .success(set.keys) }
            log.log(.debug, "cached JWK Set is unusable; fetching it again")
        }
        return fetchKeys(metadata)
    }

    /// New keys after a token named an unknown `kid`, or nil when a refresh is not allowed now
    /// (keys already fresh from this login, or another refresh in the last minute).
    public func refreshKeysForUnknownKid(_ metadata: ProviderMetadata) -> Result<[JWK], DiscoveryError>? {
        if keysFetchedNow { return nil }
        if let cache = cache, !cache.claimForcedRefresh(url: metadata.jwksURI, now: clock.wallSeconds()) {
            log.log(.notice, "unknown signing key id; JWK Set was refreshed less than a minute ago, not fetching again")
            return nil
        }
        log.log(.info, "unknown signing key id; fetching the JWK Set again")
        return fetchKeys(metadata)
    }

    private func fetchKeys(_ metadata: ProviderMetadata) -> Result<[JWK], DiscoveryError> {
        let body: [UInt8]
        switch fetch(metadata.jwksURI) {
        case .failure(let e): return .failure(e)
        case .success(let b): body = b
        }
        switch JWKSet.parse(body) {
        case .failure(let e):
            return .failure(.keys(e.description))
        case .success(let set):
            for skipped in set.skipped { log.log(.debug, "JWK Set: skipped \(skipped)") }
            guard !set.keys.isEmpty else { return .failure(.keys("no usable signing key")) }
            keysFetchedNow = true
            cache?.write(url: metadata.jwksURI, body: body, now: clock.wallSeconds())
            return .success(set.keys)
        }
    }

    private func fetch(_ url: String) -> Result<[UInt8], DiscoveryError> {
        guard budget.timeoutSeconds() != nil else { return .failure(.noTimeLeft) }
        let request = HTTPRequest(method: .get, url: url, headers: [("Accept", "application/json")])
        switch budget.send(request, over: transport) {
        case .failure(let e):
            return .failure(.unreachable(e))
        case .success(let r):
            if r.status == 429 || (r.status >= 500 && r.status <= 599) { return .failure(.serverError(r.status)) }
            guard r.status == 200 else { return .failure(.httpStatus(r.status)) }
            return .success(r.body)
        }
    }
}
