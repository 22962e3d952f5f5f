/// GET requests to JumpCloud with retries (RetryPolicy), each with a timeout, the body parsed
/// with the strict JSON parser. Counts requests and retries for the sync report.
public final class JumpCloudHTTP {
    public let transport: HTTPTransport
    public let clock: Clock
    public let log: LogSink
    public let policy: RetryPolicy
    public let timeoutSeconds: Int
    /// A random value in 0...n, for jitter (injected so tests are deterministic).
    let random: (Int64) -> Int64
    public private(set) var requests = 0
    public private(set) var retries = 0
    /// Largest body parsed; a page of 100 full JumpCloud records is a few hundred KB.
    public static let maxBodyBytes = 16 << 20

    public init(transport: HTTPTransport, clock: Clock, log: LogSink, policy: RetryPolicy = RetryPolicy(),
                timeoutSeconds: Int = 30, random: @escaping (Int64) -> Int64 = { Int64.random(in: 0...max(0, $0)) }) {
        self.transport = transport
        self.clock = clock
        self.log = log
        self.policy = policy
        self.timeoutSeconds = timeoutSeconds
        self.random = random
    }

    /// GETs `url` and parses the JSON answer. `headers` is called for every attempt (a signed
    /// request needs a fresh Date). `what` names the request in messages; it never contains a key.
    public func getJSON(_ url: String, what: String, headers: () -> [(String, String)]) -> Result<JSONValue, JumpCloudError> {
        getJSONWithHeaders(url, what: what, headers: headers).map { $0.0 }
    }

    /// As getJSON, with the answer's headers (names in lower case), for `x-total-count`.
    public func getJSONWithHeaders(_ url: String, what: String,
                                   headers: () -> [(String, String)]) -> Result<(JSONValue, [String: String]), JumpCloudError> {
        var attempt = 0
        var rateLimited = 0
        while true {
            requests += 1
            let request = HTTPRequest(method: .get, url: url, headers: headers())
            let result = transport.send(request, timeoutSeconds: timeoutSeconds)
            var delay: Int64
            var problem: String
            switch result {
            case .success(let response) where response.status == 200:
                switch JSONParser.parse(response.body, maxBytes: JumpCloudHTTP.maxBodyBytes) {
                case .success(let v): return .success((v, response.headers))
                case .failure(let e):
                    return .failure(JumpCloudError(.malformed, "\(what): the answer is not valid JSON (\(DirectoryFile.describe(e)))"))
                }
            case .success(let response) where response.status == 401 || response.status == 403:
                return .failure(JumpCloudError(.unauthorized, "\(what): HTTP \(response.status): the credentials were refused"))
            case .success(let response) where RetryPolicy.isRetryable(status: response.status):
                problem = "HTTP \(response.status)"
                if let after = policy.retryAfterMillis(response.headers["retry-after"], now: clock.wallSeconds()) {
                    delay = policy.jitteredRetryAfterMillis(after, random: random)
                } else {
                    delay = policy.backoffMillis(retry: attempt, random: random)
                }
                if response.status == 429 {
                    rateLimited += 1
                    if rateLimited >= policy.maxRateLimitedAttempts {
                        return .failure(JumpCloudError(.http, "\(what): HTTP 429: JumpCloud is rate limiting, still after \(attempt + 1) attempts; giving up until the next run"))
                    }
                }
            case .success(let response):
                return .failure(JumpCloudError(.http, "\(what): HTTP \(response.status)"))
            case .failure(let e) where RetryPolicy.isRetryable(e):
                problem = e.description
                delay = policy.backoffMillis(retry: attempt, random: random)
            case .failure(let e):
                return .failure(JumpCloudError(.unreachable, "\(what): \(e.description)"))
            }
            attempt += 1
            if attempt >= policy.maxAttempts {
                return .failure(JumpCloudError(problem.hasPrefix("HTTP") ? .http : .unreachable,
                                               "\(what): \(problem), still after \(attempt) attempts"))
            }
            retries += 1
            log.log(.info, "\(what): \(problem); retrying in \(delay) ms (attempt \(attempt + 1) of \(policy.maxAttempts))")
            clock.sleep(millis: delay)
        }
    }

    /// Absolute cap on the entries of one list: a server that never stops is an error, not a loop.
    public static let maxListEntries = 1_000_000

    /// A v2 list (a JSON array per page), read with `fetch(skip)` until a short page. When the
    /// answer carries `x-total-count` it must be the same on every page, no page may go past it,
    /// and the list must end exactly there: a list that changed while paging, or a server that
    /// lies about its size, neither loops forever nor is cut short silently.
    public func pagedArray(what: String, pageSize: Int,
                           fetch: (Int) -> Result<(JSONValue, [String: String]), JumpCloudError>) -> Result<[JSONValue], JumpCloudError> {
        var all: [JSONValue] = []
        var skip = 0
        var pages = 0
        var total: Int64?
        while true {
            let value: JSONValue, headers: [String: String]
            switch fetch(skip) {
            case .failure(let e): return .failure(e)
            case .success(let r): (value, headers) = r
            }
            pages += 1
            guard let page = value.arrayValue else { return .failure(JumpCloudError(.malformed, "\(what): the answer is not an array")) }
            if let raw = headers["x-total-count"] {
                guard let n = Int64(raw.trimmingSpaces()), n >= 0 else {
                    return .failure(JumpCloudError(.malformed, "\(what): x-total-count is not a count"))
                }
                if let t = total, t != n {
                    return .failure(JumpCloudError(.inconsistent, "\(what): x-total-count changed from \(t) to \(n) while paging (the list changed during the sync); run the sync again"))
                }
                total = n
            }
            guard page.count <= pageSize else {
                return .failure(JumpCloudError(.malformed, "\(what): \(page.count) entries in a page of \(pageSize)"))
            }
            all.append(contentsOf: page)
            skip += page.count
            if skip > JumpCloudHTTP.maxListEntries || pages > JumpCloudHTTP.maxListEntries / max(1, pageSize) + 2 {
                return .failure(JumpCloudError(.inconsistent, "\(what): paging does not end (\(pages) pages, \(skip) entries)"))
            }
            if let t = total, Int64(skip) > t {
                return .failure(JumpCloudError(.inconsistent, "\(what): more entries than x-total-count (\(skip) of \(t))"))
            }
            if page.count < pageSize {
                if let t = total, Int64(skip) != t {
                    return .failure(JumpCloudError(.inconsistent, "\(what): the list ended after \(skip) of the \(t) entries x-total-count announced; run the sync again"))
                }
                return .success(all)
            }
        }
    }

    /// `https://host` with any trailing slash removed.
    public static func baseURL(_ configured: String) -> String {
        var s = Substring(configured)
        while s.hasSuffix("/") { s = s.dropLast() }
        return String(s)
    }
}
