/// What an identity provider endpoint answered, for the device authorization endpoint
/// (`IdPAnswer<DeviceAuthorization>`) and the token endpoint (`IdPAnswer<IDToken>`) alike.
/// The first cut is the same for both: throttled, server trouble, an OAuth error, or garbage.
/// The status is not trusted for success or failure beyond that: Entra sends some errors with
/// HTTP 200, so an `error` member wins over anything else in the body (fail closed), and only
/// then does the endpoint's own reader look for its result.
public enum IdPAnswer<Success: Sendable & Equatable>: Sendable, Equatable {
    case success(Success)
    case error(IdPError)
    /// HTTP 429; Retry-After in seconds when readable, at most `maxRetryAfter`.
    case rateLimited(retryAfter: Int?)
    case unavailable(status: Int)
    case garbage(status: Int, reason: String)

    /// Retry-After beyond an hour is treated as "not within this login" anyway.
    public static var maxRetryAfter: Int { 3600 }
    /// Longest body we parse.
    static var maxBodyBytes: Int { 64 * 1024 }

    /// `receivedAt` is the wall clock (epoch seconds) when the answer came, for a Retry-After
    /// given as a date; `read` takes the JSON object and the status and finds the result.
    init(_ response: HTTPResponse, receivedAt: Int64,
         read: ([String: JSONValue], Int) -> Result<Success, ShapeProblem>) {
        let status = response.status
        if status == 429 {
            let seconds = RetryAfter.seconds(response.headers["retry-after"], now: receivedAt)
            self = .rateLimited(retryAfter: seconds.map { Int(min($0, Int64(IdPAnswer.maxRetryAfter))) })
            return
        }
        if status >= 500 && status <= 599 {
            self = .unavailable(status: status)
            return
        }
        let object: [String: JSONValue]
        switch JSONParser.parse(response.body, maxBytes: IdPAnswer.maxBodyBytes) {
        case .failure:
            self = .garbage(status: status, reason: "response is not JSON")
            return
        case .success(let value):
            guard let o = value.objectValue else {
                self = .garbage(status: status, reason: "response is not a JSON object")
                return
            }
            object = o
        }
        if let e = IdPError.from(object, status: status) {
            self = .error(e)
            return
        }
        switch read(object, status) {
        case .success(let s): self = .success(s)
        case .failure(let why): self = .garbage(status: status, reason: why.reason)
        }
    }
}

extension IdPAnswer where Success == DeviceAuthorization {
    /// The device authorization endpoint's answer: success is decided by `user_code` and
    /// `device_code`, never by the status.
    public init(_ response: HTTPResponse, receivedAt: Int64) {
        self.init(response, receivedAt: receivedAt) { object, _ in DeviceAuthorization.from(object) }
    }
}

extension IdPAnswer where Success == IDToken {
    /// The token endpoint's answer to one poll: an ID token only with HTTP 200.
    public init(_ response: HTTPResponse, receivedAt: Int64) {
        self.init(response, receivedAt: receivedAt, read: IDToken.from)
    }
}

/// Why a response body does not have the shape we need (for the admin log; no content of it).
struct ShapeProblem: Error, Equatable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
