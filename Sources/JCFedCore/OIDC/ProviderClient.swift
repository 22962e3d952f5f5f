/// Gets the provider's metadata and signing keys for one login: from the cache when it holds a
/// fresh copy (no request at all), else over the login's transport, storing what was fetched.
/// Everything fetched is validated before it is cached, and everything read from the cache is
/// validated again, so a damaged file only costs a fetch. When a refresh fails because the IdP
/// cannot be used right now, a copy past its lifetime but within idp.cache_max_stale is used
/// (logged at warning): yesterday's keys still verify today's tokens.
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
    /// The JWK Set in use, as read or fetched (to tell whether a re-read found newer keys).
    private var keysBody: [UInt8]?

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
            log.debug("cached discovery document is unusable; fetching it again")
        }
        let body: [UInt8]
        switch fetch(url) {
        case .failure(let e): return staleMetadata(url: url, failure: e)
        case .success(let b): body = b
        }
        let result = Discovery.validate(body, settings: settings)
        if case .failure(let e) = result, e.isUnavailable { return staleMetadata(url: url, failure: e) }
        if case .success(let m) = result {
            // oidc only (azure refuses them): once per fetched document, not per cached read.
            for (field, endpoint) in Discovery.offAuthorityEndpoints(m, settings: settings) {
                log.log(.notice, "discovery: \(field) '\(SafeText.field(endpoint, max: 200))' is not on the host of idp.url")
            }
            cache?.write(url: url, body: body, now: clock.wallSeconds())
        }
        return result
    }

    /// The cached document past its lifetime after a refresh failed with `failure`, or that failure.
    private func staleMetadata(url: String, failure: DiscoveryError) -> Result<ProviderMetadata, DiscoveryError> {
        guard failure.isUnavailable, let stale = cache?.readStale(url: url, now: clock.wallSeconds()),
              case .success(let m) = Discovery.validate(stale.body, settings: settings) else { return .failure(failure) }
        warnStale("discovery document", failure: failure, age: stale.ageSeconds)
        return .success(m)
    }

    private func warnStale(_ what: String, failure: DiscoveryError, age: Int64) {
        let limit = cache?.maxStaleSeconds ?? 0
        log.log(.warning, "\(what) could not be refreshed (\(failure.description)); using the cached copy fetched \(age / 3600) h ago (idp.cache_max_stale = \(limit) s)")
    }

    public func keys(_ metadata: ProviderMetadata) -> Result<[JWK], DiscoveryError> {
        if let cached = cache?.read(url: metadata.jwksURI, now: clock.wallSeconds()) {
            if case .success(let set) = JWKSet.parse(cached), !set.keys.isEmpty {
                keysBody = cached
                return .success(set.keys)
            }
            log.debug("cached JWK Set is unusable; fetching it again")
        }
        let fetched = fetchKeys(metadata)
        guard case .failure(let e) = fetched, e.isUnavailable,
              let stale = cache?.readStale(url: metadata.jwksURI, now: clock.wallSeconds()),
              case .success(let set) = JWKSet.parse(stale.body), !set.keys.isEmpty else { return fetched }
        warnStale("JWK Set", failure: e, age: stale.ageSeconds)
        keysBody = stale.body
        return .success(set.keys)
    }

    /// New keys after a token named an unknown `kid`, or nil when a refresh is not allowed now
    /// (keys already fresh from this login, or another refresh in the last minute).
    public func refreshKeysForUnknownKid(_ metadata: ProviderMetadata) -> Result<[JWK], DiscoveryError>? {
        if keysFetchedNow { return nil }
        let now = clock.wallSeconds()
        if let cache = cache, !cache.claimForcedRefresh(url: metadata.jwksURI, now: now) {
            // Another login may just have fetched new keys: what it cached is worth a look.
            if let cached = cache.read(url: metadata.jwksURI, now: now), cached != keysBody,
               case .success(let set) = JWKSet.parse(cached), !set.keys.isEmpty {
                log.log(.info, "unknown signing key id; another login refreshed the JWK Set less than a minute ago, using it")
                keysBody = cached
                return .success(set.keys)
            }
            log.log(.notice, "unknown signing key id; JWK Set was refreshed less than a minute ago, not fetching again")
            return nil
        }
        log.log(.info, "unknown signing key id; fetching the JWK Set again")
        let fetched = fetchKeys(metadata)
        // Only a successful fetch holds off the next forced refresh for a minute.
        if case .failure = fetched { cache?.releaseForcedRefresh(url: metadata.jwksURI, claimedAt: now) }
        return fetched
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
            for skipped in set.skipped { log.debug("JWK Set: skipped \(skipped)") }
            guard !set.keys.isEmpty else { return .failure(.keys("no usable signing key")) }
            keysFetchedNow = true
            keysBody = body
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
