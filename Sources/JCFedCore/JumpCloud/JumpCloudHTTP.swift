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
        var attempt = 0
        while true {
            requests += 1
            let request = HTTPRequest(method: .get, url: url, headers: headers())
            let result = transport.send(request, timeoutSeconds: timeoutSeconds)
            var delay: Int64
            var problem: String
            switch result {
            case .success(let response) where response.status == 200:
                switch JSONParser.parse(response.body, maxBytes: JumpCloudHTTP.maxBodyBytes) {
                case .success(let v): return .success(v)
                case .failure(let e):
                    return .failure(JumpCloudError(.malformed, "\(what): the answer is not valid JSON (\(DirectoryFile.describe(e)))"))
                }
            case .success(let response) where response.status == 401 || response.status == 403:
                return .failure(JumpCloudError(.unauthorized, "\(what): HTTP \(response.status): the credentials were refused"))
            case .success(let response) where RetryPolicy.isRetryable(status: response.status):
                problem = "HTTP \(response.status)"
                delay = policy.retryAfterMillis(response.headers["retry-after"], now: clock.wallSeconds())
                    ?? policy.backoffMillis(retry: attempt, random: random)
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

    /// `https://host` with any trailing slash removed.
    public static func baseURL(_ configured: String) -> String {
        var s = Substring(configured)
        while s.hasSuffix("/") { s = s.dropLast() }
        return String(s)
    }
}
