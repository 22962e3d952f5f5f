/// A device authorization response (RFC 8628 §3.2), checked for shape before anything of it is
/// shown or sent back. The device code is a bearer secret: `description` leaves it out.
public struct DeviceAuthorization: Sendable, Equatable, CustomStringConvertible {
    public static let defaultExpiresIn = 900
    public static let defaultInterval = 5
    /// Longest text from the IdP we show the person.
    static let maxMessageScalars = 1024

    public var userCode: String
    public var deviceCode: String
    public var verificationURI: String
    /// With the code filled in (RFC 8628 §3.3.1); Entra never sends it.
    public var verificationURIComplete: String?
    public var expiresIn: Int
    public var interval: Int
    /// The IdP's own instructions, cleaned for a terminal; nil when absent or unusable.
    public var message: String?

    public init(userCode: String, deviceCode: String, verificationURI: String, verificationURIComplete: String? = nil,
                expiresIn: Int = DeviceAuthorization.defaultExpiresIn, interval: Int = DeviceAuthorization.defaultInterval,
                message: String? = nil) {
        self.userCode = userCode
        self.deviceCode = deviceCode
        self.verificationURI = verificationURI
        self.verificationURIComplete = verificationURIComplete
        self.expiresIn = expiresIn
        self.interval = interval
        self.message = message
    }

    public var description: String {
        "device authorization (user_code shown, expires_in=\(expiresIn), interval=\(interval))"
    }

    /// What the QR code encodes: the complete URI when the IdP offers one, else the bare URL.
    public var qrTarget: String { verificationURIComplete ?? verificationURI }

    /// Reads the fields from a JSON object; nil with a reason when the object is not a usable
    /// authorization. Success is decided by `user_code`/`device_code`, never by the status.
    static func from(_ o: [String: JSONValue]) -> Result<DeviceAuthorization, ShapeProblem> {
        guard let userCode = o["user_code"]?.stringValue, DisplayText.isPrintableToken(userCode, max: 64) else {
            return .failure(ShapeProblem("user_code missing or not printable"))
        }
        guard let deviceCode = o["device_code"]?.stringValue, DisplayText.isPrintableToken(deviceCode, max: 8192) else {
            return .failure(ShapeProblem("device_code missing or not printable"))
        }
        // RFC 8628 says verification_uri; Entra v1 and some IdPs say verification_url.
        guard let uri = (o["verification_uri"] ?? o["verification_url"])?.stringValue, isHTTPSURL(uri) else {
            return .failure(ShapeProblem("verification_uri missing or not an https URL"))
        }
        var complete: String?
        if let c = o["verification_uri_complete"]?.stringValue, isHTTPSURL(c) { complete = c }

        let expiresIn: Int
        switch seconds(o["expires_in"], default: defaultExpiresIn, range: 1...86_400) {
        case .failure(let why): return .failure(ShapeProblem("expires_in " + why.reason))
        case .success(let n): expiresIn = n
        }
        var interval: Int
        switch seconds(o["interval"], default: defaultInterval, range: 0...300) {
        case .failure(let why): return .failure(ShapeProblem("interval " + why.reason))
        case .success(let n): interval = n
        }
        // RFC 8628 §3.2: absent means 5; zero would mean "poll as fast as you can".
        if interval == 0 { interval = defaultInterval }

        var message: String?
        if let m = o["message"]?.stringValue, let clean = SafeText.forPerson(m, max: maxMessageScalars),
           clean.containsBytes(userCode) {
            // A message that does not carry the code cannot be the instructions: use ours.
            message = clean
        }
        return .success(DeviceAuthorization(userCode: userCode, deviceCode: deviceCode, verificationURI: uri,
                                            verificationURIComplete: complete, expiresIn: expiresIn,
                                            interval: interval, message: message))
    }

    /// A number of seconds: a JSON integer or (Azure AD v1 style) a string of digits.
    static func seconds(_ v: JSONValue?, default d: Int, range: ClosedRange<Int>) -> Result<Int, ShapeProblem> {
        guard let v = v, v != .null else { return .success(d) }
        var n: Int64?
        if let i = v.int64Value { n = i }
        if let s = v.stringValue, !s.isEmpty, s.utf8.count <= 9, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            n = Int64(s)
        }
        guard let value = n else { return .failure(ShapeProblem("is not a whole number")) }
        guard value >= Int64(range.lowerBound) else { return .failure(ShapeProblem("is out of range")) }
        return .success(Int(min(value, Int64(range.upperBound))))
    }

    static func isHTTPSURL(_ s: String) -> Bool {
        guard DisplayText.isPrintableToken(s, max: 2048), s.startsWithASCII("https://") else { return false }
        let rest = s.dropFirst("https://".count)
        guard let host = rest.split(separator: "/", omittingEmptySubsequences: false).first, !host.isEmpty,
              !host.containsBytes("@") else { return false }
        return true
    }
}
