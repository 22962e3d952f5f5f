/// An OAuth error body as Entra sends it (RFC 6749 §5.2 plus Entra's extra members): `error`, the AADSTS
/// numbers in `error_codes`, `correlation_id` and `trace_id`. `error_description` is deliberately
/// not kept: clients must never branch on it, and the numbers say the same for the admin log.
public struct IdPError: Sendable, Equatable, CustomStringConvertible {
    /// The OAuth `error` value, cleaned for logging (e.g. `authorization_pending`).
    public var error: String
    /// AADSTS numbers (Entra); empty for other IdPs.
    public var codes: [Int]
    public var correlationID: String?
    public var traceID: String?
    /// The HTTP status it arrived with (Entra sends some errors with 200).
    public var httpStatus: Int

    public init(error: String, codes: [Int] = [], correlationID: String? = nil, traceID: String? = nil,
                httpStatus: Int = 400) {
        self.error = error
        self.codes = codes
        self.correlationID = correlationID
        self.traceID = traceID
        self.httpStatus = httpStatus
    }

    /// The error in a JSON object, or nil when the object carries no `error` string.
    static func from(_ object: [String: JSONValue], status: Int) -> IdPError? {
        guard let raw = object["error"]?.stringValue, !raw.isEmpty else { return nil }
        var codes: [Int] = []
        for v in (object["error_codes"]?.arrayValue ?? []).prefix(8) {
            if let n = v.int64Value, n >= 0, n <= 99_999_999 { codes.append(Int(n)) }
        }
        func id(_ key: String) -> String? {
            guard let s = object[key]?.stringValue, !s.isEmpty else { return nil }
            return SafeText.field(s)
        }
        return IdPError(error: SafeText.field(raw), codes: codes, correlationID: id("correlation_id"),
                        traceID: id("trace_id"), httpStatus: status)
    }

    /// True when `error_codes` holds this AADSTS number.
    public func has(_ aadsts: Int) -> Bool { codes.contains(aadsts) }

    /// `AADSTS7000218` (the first code), or nil.
    public var aadsts: String? { codes.first.map { "AADSTS\($0)" } }

    /// One syslog fragment: error, AADSTS codes, HTTP status, correlation and trace ids.
    public var description: String {
        var s = error
        if !codes.isEmpty { s += " " + codes.map { "AADSTS\($0)" }.joined(separator: ",") }
        s += " (HTTP \(httpStatus))"
        if let c = correlationID { s += " correlation_id=\(c)" }
        if let t = traceID { s += " trace_id=\(t)" }
        return s
    }
}
