/// An HTTP request as the core sees it: no library types, so the device flow and discovery
/// are tested with a fake transport and run over libcurl in the module.
public struct HTTPRequest: Sendable, Equatable {
    public enum Method: String, Sendable { case get = "GET", post = "POST" }
    public var method: Method
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: Method, url: String, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// A form POST (application/x-www-form-urlencoded), the only body the OAuth endpoints take.
    public static func form(_ url: String, _ fields: [(String, String)]) -> HTTPRequest {
        HTTPRequest(method: .post, url: url,
                    headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                    body: FormEncoding.encodedBytes(fields))
    }

    public static func == (a: HTTPRequest, b: HTTPRequest) -> Bool {
        a.method == b.method && a.url == b.url && a.body == b.body
            && a.headers.map { $0.0 + ":" + $0.1 } == b.headers.map { $0.0 + ":" + $0.1 }
    }
}

public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why an HTTP exchange failed below the HTTP layer. The PAM layer maps all of these to
/// PAM_AUTHINFO_UNAVAIL: the IdP could not be reached, nothing was decided about the user.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    case dns
    case connect
    case tls
    case timeout
    case oversize
    case redirect
    /// The HTTP library could not allocate: PAM_BUF_ERR, not an IdP problem.
    case outOfMemory
    case other(String)

    public var description: String {
        switch self {
        case .dns: return "name resolution failed"
        case .connect: return "connection failed"
        case .tls: return "TLS verification failed"
        case .timeout: return "request timed out"
        case .oversize: return "response too large"
        case .redirect: return "unexpected redirect"
        case .outOfMemory: return "out of memory"
        case .other(let s): return s
        }
    }
}

/// One synchronous HTTP exchange with a per-request timeout. Implementations never follow
/// redirects and always verify TLS.
public protocol HTTPTransport: AnyObject {
    func send(_ request: HTTPRequest, timeoutSeconds: Int) -> Result<HTTPResponse, TransportError>
}

/// application/x-www-form-urlencoded encoding (RFC 3986 unreserved characters kept).
/// Built a byte at a time in one buffer: every login encodes two bodies, and appending
/// Unicode scalars to a String cost about 150 instructions a byte.
public enum FormEncoding {
    public static func encode(_ fields: [(String, String)]) -> String {
        String(decoding: encodedBytes(fields), as: UTF8.self)
    }

    /// The body as the request sends it.
    public static func encodedBytes(_ fields: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        for (index, (name, value)) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "&")) }
            append(name, to: &out)
            out.append(UInt8(ascii: "="))
            append(value, to: &out)
        }
        return out
    }

    public static func percentEncode(_ s: String) -> String {
        var out: [UInt8] = []
        append(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func append(_ s: String, to out: inout [UInt8]) {
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(b)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hexDigit(b >> 4))
                out.append(hexDigit(b & 0x0f))
            }
        }
    }

    private static func hexDigit(_ v: UInt8) -> UInt8 {
        v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "A") + (v - 10)
    }
}
