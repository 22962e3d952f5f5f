/// The time one request may take: `http_timeout`, cut to what is left before the login
/// deadline, so no single request can outlive the login.
struct RequestBudget {
    let clock: Clock
    /// Monotonic milliseconds.
    let deadline: Int64
    let httpTimeout: Int

    /// Seconds for the next request, or nil when the deadline has passed.
    func timeoutSeconds() -> Int? {
        let left = deadline - clock.monotonicMillis()
        guard left > 0 else { return nil }
        let leftSeconds = Int((left + 999) / 1000)
        return max(1, min(httpTimeout, leftSeconds))
    }

    func send(_ request: HTTPRequest, over transport: HTTPTransport) -> Result<HTTPResponse, TransportError> {
        guard let timeout = timeoutSeconds() else { return .failure(.timeout) }
        return transport.send(request, timeoutSeconds: timeout)
    }
}
