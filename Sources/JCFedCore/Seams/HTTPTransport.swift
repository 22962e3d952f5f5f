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
                    body: Array(FormEncoding.encode(fields).utf8))
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
public enum FormEncoding {
    public static func encode(_ fields: [(String, String)]) -> String {
        fields.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
    }

    public static func percentEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(b >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(b & 0x0f)]))
            }
        }
        return out
    }
}
