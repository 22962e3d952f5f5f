#if canImport(Glibc)
import Glibc
#endif
import JCFedCore

// One fake per seam of JCFedCore/Seams (and the JumpCloud request signer), shared by every unit
// test target. The clock's fake is the core's own FixedClock, the log's its MemoryLogSink.

/// HTTPTransport: answers from scripted queues keyed by the end of the URL path (the last entry of
/// a queue repeats), or from a handler; records every request with the time it was sent, and lets
/// each exchange take `rttMillis` on the fixed clock.
public final class FakeTransport: HTTPTransport {
    @dynamicMemberLookup
    public struct Sent {
        public var request: HTTPRequest
        public var at: Int64
        public var timeout: Int
        public var form: [String: String] { FormFields.parse(request.body) }
        public subscript<T>(dynamicMember path: KeyPath<HTTPRequest, T>) -> T { request[keyPath: path] }
    }

    public let clock: FixedClock
    public var rttMillis: Int64 = 0
    /// Answers every request when set (the scripted routes are then unused).
    public var handler: ((HTTPRequest) -> Result<HTTPResponse, TransportError>)?
    public private(set) var sent: [Sent] = []
    private var routes: [(suffix: String, replies: [Result<HTTPResponse, TransportError>])] = []

    public init(clock: FixedClock = FixedClock()) { self.clock = clock }

    public convenience init(_ handler: @escaping (HTTPRequest) -> Result<HTTPResponse, TransportError>) {
        self.init()
        self.handler = handler
    }

    public func on(_ suffix: String, _ replies: [Result<HTTPResponse, TransportError>]) {
        routes.removeAll { $0.suffix == suffix }
        routes.append((suffix, replies))
    }

    public func on(_ suffix: String, _ reply: Result<HTTPResponse, TransportError>) { on(suffix, [reply]) }

    public func send(_ request: HTTPRequest, timeoutSeconds: Int) -> Result<HTTPResponse, TransportError> {
        sent.append(Sent(request: request, at: clock.monotonicMillis(), timeout: timeoutSeconds))
        clock.advance(millis: rttMillis)
        if let handler { return handler(request) }
        guard let i = routes.firstIndex(where: { request.url.hasSuffix($0.suffix) }),
              let first = routes[i].replies.first else {
            return .success(HTTPResponse(status: 404, body: Array("not found".utf8)))
        }
        if routes[i].replies.count > 1 { routes[i].replies.removeFirst() }
        return first
    }

    public func requests(to suffix: String) -> [Sent] { sent.filter { $0.request.url.hasSuffix(suffix) } }

    public static func json(_ text: String, status: Int = 200, headers: [String: String] = [:])
        -> Result<HTTPResponse, TransportError> {
        .success(HTTPResponse(status: status, headers: headers, body: Array(text.utf8)))
    }
}

/// Prompter: answers prompts from a script (nil = the conversation fails) and lets time pass while
/// the "person" reads, as a real prompt blocks.
public final class FakePrompter: Prompter {
    public enum Event: Equatable {
        case info(String)
        case error(String)
        case prompt(String, at: Int64)
    }

    public let clock: FixedClock
    public var isTerminal: Bool
    public var answers: [String?]
    /// Milliseconds each prompt takes to be answered.
    public var thinkMillis: Int64
    public var infoSucceeds = true
    /// Called on each prompt before it is answered (e.g. to approve the code at the fake IdP).
    public var onPrompt: ((Int) -> Void)?
    public private(set) var events: [Event] = []

    public init(clock: FixedClock, isTerminal: Bool = true, answers: [String?] = [""], thinkMillis: Int64 = 3_000) {
        self.clock = clock
        self.isTerminal = isTerminal
        self.answers = answers
        self.thinkMillis = thinkMillis
    }

    public func info(_ text: String) -> Bool {
        events.append(.info(text))
        return infoSucceeds
    }

    public func error(_ text: String) -> Bool {
        events.append(.error(text))
        return true
    }

    public func prompt(_ text: String, echo: Bool) -> String? {
        events.append(.prompt(text, at: clock.monotonicMillis()))
        onPrompt?(prompts.count)
        clock.advance(millis: thinkMillis)
        guard let answer = answers.first else { return "" }
        if answers.count > 1 { answers.removeFirst() }
        return answer
    }

    public var infos: [String] { events.compactMap { if case .info(let s) = $0 { return s } else { return nil } } }
    public var prompts: [(text: String, at: Int64)] {
        events.compactMap { if case .prompt(let s, let at) = $0 { return (s, at) } else { return nil } }
    }
}

/// UserDatabase: a table of local accounts and their groups; with `anyName`, every other name is
/// that account (for stages that only need "some local user").
public final class FakeUsers: UserDatabase {
    public static let standard: [(String, UInt32)] = [("alice", 1001), ("bob", 1002), ("carol", 1003), ("dave", 1004),
                                                      ("root", 0), ("daemon", 1), ("sysuser", 999)]
    public var accounts: [String: LocalAccount] = [:]
    public var groups: [String: [String]] = [:]
    public var anyName: LocalAccount?

    public init(_ users: [(String, UInt32)] = FakeUsers.standard, groups: [String: [String]] = [:]) {
        for (n, uid) in users { accounts[n] = LocalAccount(name: n, uid: uid, gid: uid) }
        self.groups = groups
    }

    /// Every name is a local account with uid 1001 and no groups.
    public static func anyoneIsALocalUser() -> FakeUsers {
        let users = FakeUsers([])
        users.anyName = LocalAccount(name: "", uid: 1001, gid: 1001)
        return users
    }

    public func account(named name: String) -> LocalAccount? {
        // NSS compares bytes, not canonical equivalence.
        if let found = accounts.first(where: { Array($0.key.utf8) == Array(name.utf8) })?.value { return found }
        return anyName.map { LocalAccount(name: name, uid: $0.uid, gid: $0.gid) }
    }

    public func groupNames(of account: LocalAccount) -> [String] { groups[account.name] ?? [] }
}

/// SignatureVerifier: answers what the test says, records what it was asked; `usable: false` is
/// OpenSSLVerifier when libcrypto cannot be loaded.
public final class FakeVerifier: SignatureVerifier {
    public var answer: Bool
    public var usable: Bool
    public private(set) var calls: [(JWSAlgorithm, JWK)] = []

    public init(_ answer: Bool = false, usable: Bool = true) {
        self.answer = answer
        self.usable = usable
    }

    public var isUsable: Bool { usable }

    public func verify(algorithm: JWSAlgorithm, key: JWK, signingInput: [UInt8], signature: [UInt8]) -> Bool {
        calls.append((algorithm, key))
        return answer
    }
}

/// RequestSigner (JumpCloud's device key): records what it signed; `fail` = the key is unusable.
public final class FakeSigner: RequestSigner {
    public private(set) var signed: [String] = []
    public var fail = false
    public init() {}
    public func signRSASHA256(_ message: [UInt8]) -> [UInt8]? {
        if fail { return nil }
        signed.append(String(decoding: message, as: UTF8.self))
        return [1, 2, 3]
    }
}

/// application/x-www-form-urlencoded bodies, decoded for assertions.
public enum FormFields {
    public static func parse(_ body: [UInt8]) -> [String: String] {
        var out: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard kv.count == 2, let k = kv.first, let v = kv.last else { continue }
            out[percentDecode(k)] = percentDecode(v)
        }
        return out
    }

    public static func percentDecode(_ s: String) -> String {
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
}
