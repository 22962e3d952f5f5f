#if canImport(Glibc)
import Glibc
#endif
@testable import JCFedCore

/// Test doubles and fixtures for the device-flow, discovery, cache and login tests.
/// Named Flow* so they cannot collide with other suites' fakes.

/// A transport that answers from scripted queues keyed by the end of the URL path
/// (the last entry of a queue repeats), records every request with the time it was sent,
/// and lets each exchange take `rttMillis` on the fixed clock.
final class FlowFakeTransport: HTTPTransport {
    struct Sent {
        var request: HTTPRequest
        var at: Int64
        var timeout: Int
        var form: [String: String] { FlowFixtures.formFields(request.body) }
    }

    let clock: FixedClock
    var rttMillis: Int64 = 0
    private(set) var sent: [Sent] = []
    private var routes: [(suffix: String, replies: [Result<HTTPResponse, TransportError>])] = []

    init(clock: FixedClock) { self.clock = clock }

    func on(_ suffix: String, _ replies: [Result<HTTPResponse, TransportError>]) {
        routes.removeAll { $0.suffix == suffix }
        routes.append((suffix, replies))
    }

    func on(_ suffix: String, _ reply: Result<HTTPResponse, TransportError>) { on(suffix, [reply]) }

    func send(_ request: HTTPRequest, timeoutSeconds: Int) -> Result<HTTPResponse, TransportError> {
        sent.append(Sent(request: request, at: clock.monotonicMillis(), timeout: timeoutSeconds))
        clock.advance(millis: rttMillis)
        guard let i = routes.firstIndex(where: { request.url.hasSuffix($0.suffix) }),
              let first = routes[i].replies.first else {
            return .success(HTTPResponse(status: 404, body: Array("not found".utf8)))
        }
        if routes[i].replies.count > 1 { routes[i].replies.removeFirst() }
        return first
    }

    func requests(to suffix: String) -> [Sent] { sent.filter { $0.request.url.hasSuffix(suffix) } }
}

/// A conversation that answers prompts from a script (nil = the conversation fails) and can
/// let time pass while the "person" reads, as a real prompt blocks.
final class FlowFakePrompter: Prompter {
    enum Event: Equatable {
        case info(String)
        case error(String)
        case prompt(String, at: Int64)
    }

    let clock: FixedClock
    var isTerminal: Bool
    var answers: [String?]
    /// Milliseconds each prompt takes to be answered.
    var thinkMillis: Int64
    var infoSucceeds = true
    /// Called on each prompt before it is answered (e.g. to approve the code at the fake IdP).
    var onPrompt: ((Int) -> Void)?
    private(set) var events: [Event] = []

    init(clock: FixedClock, isTerminal: Bool = true, answers: [String?] = [""], thinkMillis: Int64 = 3_000) {
        self.clock = clock
        self.isTerminal = isTerminal
        self.answers = answers
        self.thinkMillis = thinkMillis
    }

    func info(_ text: String) -> Bool {
        events.append(.info(text))
        return infoSucceeds
    }

    func error(_ text: String) -> Bool {
        events.append(.error(text))
        return true
    }

    func prompt(_ text: String, echo: Bool) -> String? {
        events.append(.prompt(text, at: clock.monotonicMillis()))
        onPrompt?(prompts.count)
        clock.advance(millis: thinkMillis)
        guard let answer = answers.first else { return "" }
        if answers.count > 1 { answers.removeFirst() }
        return answer
    }

    var infos: [String] { events.compactMap { if case .info(let s) = $0 { return s } else { return nil } } }
    var prompts: [(text: String, at: Int64)] {
        events.compactMap { if case .prompt(let s, let at) = $0 { return (s, at) } else { return nil } }
    }
}

final class FlowFakeUsers: UserDatabase {
    func account(named name: String) -> LocalAccount? { LocalAccount(name: name, uid: 1001, gid: 1001) }
    func groupNames(of account: LocalAccount) -> [String] { [] }
}

final class FlowFakeVerifier: SignatureVerifier {
    /// false: as OpenSSLVerifier when libcrypto cannot be loaded.
    var usable = true
    init(usable: Bool = true) { self.usable = usable }
    var isUsable: Bool { usable }
    func verify(algorithm: JWSAlgorithm, key: JWK, signingInput: [UInt8], signature: [UInt8]) -> Bool { false }
}

enum FlowFixtures {
    static let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    static let client = "11111111-2222-3333-4444-555555555555"
    static let host = "login.example.test"
    static var authority: String { "https://\(host)/\(tenant)" }
    static var issuer: String { "https://\(host)/\(tenant)/v2.0" }
    static let deviceCode = "DEVICECODE-SECRET-0123456789abcdef"
    static let userCode = "FRWQDE7YL"
    static let idToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"

    static func azureSettings(cacheDir: String = "/nonexistent/jcfed-cache") -> IdPSettings {
        var s = IdPSettings()
        s.type = .azure
        s.url = authority
        s.clientID = client
        s.cacheDir = cacheDir
        return s
    }

    static func response(_ status: Int, _ json: String, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(json.utf8))
    }

    static func discoveryJSON(issuer: String = FlowFixtures.issuer, base: String = FlowFixtures.authority,
                              extra: String = "") -> String {
        """
        {"issuer":"\(issuer)","token_endpoint":"\(base)/oauth2/v2.0/token",
         "device_authorization_endpoint":"\(base)/oauth2/v2.0/devicecode",
         "jwks_uri":"\(base)/discovery/v2.0/keys","id_token_signing_alg_values_supported":["RS256"],
         "authorization_endpoint":"\(base)/oauth2/v2.0/authorize"\(extra)}
        """
    }

    /// A 2048-bit RSA modulus (top bit set), base64url; the value is arbitrary.
    static var modulus: String {
        var n: [UInt8] = [0xC3]
        for i in 1..<256 { n.append(UInt8(truncatingIfNeeded: i &* 37 &+ 11)) }
        return Base64.urlEncode(n)
    }

    static func jwksJSON(kids: [String] = ["key-1"]) -> String {
        let keys = kids.map {
            #"{"kty":"RSA","use":"sig","kid":"\#($0)","x5t":"\#($0)","n":"\#(modulus)","e":"AQAB","issuer":"https://\#(host)/{tenantid}/v2.0"}"#
        }
        return #"{"keys":["# + keys.joined(separator: ",") + "]}"
    }

    static func deviceCodeJSON(interval: Int? = 5, expiresIn: Int? = 900, message: Bool = true) -> String {
        var s = #"{"user_code":"\#(userCode)","device_code":"\#(deviceCode)","verification_uri":"https://microsoft.com/devicelogin""#
        if let e = expiresIn { s += #","expires_in":\#(e)"# }
        if let i = interval { s += #","interval":\#(i)"# }
        if message {
            s += #","message":"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code \#(userCode) to authenticate.""#
        }
        return s + "}"
    }

    static func errorJSON(_ error: String, codes: [Int] = [], correlation: String = "c0ffee00-1111-2222-3333-444455556666") -> String {
        let list = codes.map(String.init).joined(separator: ",")
        return #"{"error":"\#(error)","error_description":"AADSTS\#(codes.first ?? 0): text\r\nTrace ID: t\r\nCorrelation ID: \#(correlation)","error_codes":[\#(list)],"timestamp":"2022-08-25 09:34:07Z","trace_id":"7ace0000-aaaa-bbbb-cccc-ddddeeeeffff","correlation_id":"\#(correlation)"}"#
    }

    static func tokenJSON(idToken: String = FlowFixtures.idToken) -> String {
        #"{"token_type":"Bearer","scope":"openid profile email","expires_in":3599,"access_token":"ACCESS-TOKEN-SECRET","id_token":"\#(idToken)"}"#
    }

    static func pending(status: Int = 400) -> Result<HTTPResponse, TransportError> {
        .success(response(status, errorJSON("authorization_pending", codes: [70016])))
    }

    static func formFields(_ body: [UInt8]) -> [String: String] {
        var out: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard kv.count == 2, let k = kv.first, let v = kv.last else { continue }
            out[percentDecode(k)] = percentDecode(v)
        }
        return out
    }

    static func percentDecode(_ s: String) -> String {
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let b = bytes.first {
            bytes = bytes.dropFirst()
            if b == UInt8(ascii: "%"), bytes.count >= 2,
               let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A fresh private directory for one test, removed by `removeTree`.
    static func tempDir() -> String {
        var template = Array("/tmp/jcfed-flow-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf -> String? in
            guard let base = buf.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        return made ?? "/tmp/jcfed-flow-fallback"
    }

    static func removeTree(_ path: String) {
        guard path.hasPrefix("/tmp/jcfed-flow-") else { return }
        removeRecursively(path)
    }

    private static func removeRecursively(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if UInt32(st.st_mode) & UInt32(S_IFMT) == UInt32(S_IFDIR) {
            if let dir = opendir(path) {
                var names: [String] = []
                while let entry = readdir(dir) {
                    let name = withUnsafePointer(to: entry.pointee.d_name) {
                        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                    }
                    if name != "." && name != ".." { names.append(name) }
                }
                closedir(dir)
                for n in names { removeRecursively(path + "/" + n) }
            }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
