/// The first cut every IdP answer gets, shared by the device-code and token endpoints: throttled,
/// server trouble, a JSON object to look into, or garbage. The status is not trusted for
/// success or failure beyond that: Entra sends some errors with HTTP 200.
enum HTTPReply: Equatable {
    case object([String: JSONValue], status: Int)
    case rateLimited(retryAfter: Int?)
    case unavailable(status: Int)
    case garbage(status: Int, reason: String)

    /// Retry-After beyond an hour is treated as "not within this login" anyway.
    static let maxRetryAfter = 3600

    init(_ response: HTTPResponse) {
        let status = response.status
        if status == 429 {
            self = .rateLimited(retryAfter: HTTPReply.retryAfter(response.headers["retry-after"]))
            return
        }
        if status >= 500 && status <= 599 {
            self = .unavailable(status: status)
            return
        }
        switch JSONParser.parse(response.body, maxBytes: 64 * 1024) {
        case .failure:
            self = .garbage(status: status, reason: "response is not JSON")
        case .success(let value):
            guard let object = value.objectValue else {
                self = .garbage(status: status, reason: "response is not a JSON object")
                return
            }
            self = .object(object, status: status)
        }
    }

    /// Delta-seconds only (an HTTP-date needs a calendar we do not carry; the caller then
    /// falls back to the poll interval).
    static func retryAfter(_ value: String?) -> Int? {
        guard let v = value?.trimmingSpaces(), !v.isEmpty, v.utf8.count <= 10,
              v.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(v) else { return nil }
        return min(n, maxRetryAfter)
    }
}
