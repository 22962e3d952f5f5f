// The only file of the simulation that calls jcfed's own code: one federated login through the
// module's public sign-in entry point (InteractiveSignIn.run: discovery and keys through
// ProviderClient and MetadataCache, the device flow through DeviceFlowMachine with its jittered
// 429 backoff, token validation with the unknown-kid refresh), and one scheduled device-side
// `jcfed directory sync` (SystemContextClient over JumpCloudHTTP with the RetryPolicy of a
// `--scheduled` run). When the internals move, this file is what to adapt; Model.swift and
// main.swift only see SimLoginResult and SimSyncResult.
import JCFedCore
import JCFedSystem

/// Time on the simulated clock: milliseconds since the start of the simulation (Monday 00:00
/// UTC). Each login and each sync gets its own clock that starts at its start time; requests are
/// counted at the clock's time when they are sent.
final class SimClock: Clock {
    static let epochWall: Int64 = 1_767_571_200  // Monday 2026-01-05 00:00:00 UTC
    var millis: Int64
    init(millis: Int64) { self.millis = millis }
    func wallSeconds() -> Int64 { SimClock.epochWall + millis / 1000 }
    func monotonicMillis() -> Int64 { millis }
    func sleep(millis: Int64) { self.millis += max(0, millis) }
}

final class NullLog: LogSink {
    func log(_ level: LogLevel, _ message: String) {}
}

/// Signatures are not computed: the validator chooses the key by `kid` (an unknown kid is
/// rejected before any arithmetic), and this verifier accepts the arithmetic.
final class SimVerifier: SignatureVerifier {
    func verify(algorithm: JWSAlgorithm, key: JWK, signingInput: [UInt8], signature: [UInt8]) -> Bool { true }
}

final class SimSigner: RequestSigner {
    func signRSASHA256(_ message: [UInt8]) -> [UInt8]? { [UInt8](repeating: 0x5a, count: 256) }
}

final class SimUsers: UserDatabase {
    func account(named name: String) -> LocalAccount? { LocalAccount(name: name, uid: 10_001, gid: 10_001) }
    func groupNames(of account: LocalAccount) -> [String] { [] }
}

/// The person at the terminal: reads the code, signs in in a browser (approving the code at the
/// IdP after `approveAfterMillis`), and presses Enter `enterOffsetMillis` after that (negative:
/// before the approval is done). A second prompt is answered after `againMillis`.
final class SimPerson: Prompter {
    let clock: SimClock
    let approveAfterMillis: Int64
    let enterOffsetMillis: Int64
    let againMillis: Int64
    var approvedAt: Int64?
    var isTerminal: Bool { false }

    init(clock: SimClock, approveAfterMillis: Int64, enterOffsetMillis: Int64, againMillis: Int64) {
        self.clock = clock
        self.approveAfterMillis = approveAfterMillis
        self.enterOffsetMillis = enterOffsetMillis
        self.againMillis = againMillis
    }

    func info(_ text: String) -> Bool { true }
    func error(_ text: String) -> Bool { true }
    func prompt(_ text: String, echo: Bool) -> String? {
        if approvedAt == nil {
            approvedAt = clock.millis + approveAfterMillis
            clock.millis += max(1000, approveAfterMillis + enterOffsetMillis)
        } else {
            clock.millis += againMillis
        }
        return ""
    }
}

struct SimLoginResult {
    /// "signed-in", or the outcome's reason (idp-throttled, idp-unavailable, ...).
    var reason: String
    var endMillis: Int64
}

struct SimSyncResult {
    var ok: Bool
    var endMillis: Int64
}

enum Glue {
    /// The device's configuration: jcfed.conf as an admin writes it, loaded by the module's loader.
    static func loadConfig(path: String, owner: UInt32) -> LoadedConfig? {
        guard case .success(let loaded) = ConfigLoader.load(path: path, storage: SystemStorage(owner: owner)) else { return nil }
        return loaded
    }

    static func configText(authority: String, clientID: String, cacheDir: String) -> String {
        """
        [idp]
        type = azure
        url = \(authority)
        client_id = \(clientID)
        cache_dir = \(cacheDir)

        """
    }

    /// One federated login of one device, as the module runs it.
    static func login(loaded: LoadedConfig, cacheDir: String, owner: UInt32, machineID: String,
                      clock: SimClock, person: SimPerson, transport: HTTPTransport,
                      random: @escaping () -> UInt64) -> SimLoginResult {
        var device = loaded
        device.config.idp.cacheDir = cacheDir
        let environment = LoginEnvironment(
            log: NullLog(), clock: clock, users: SimUsers(), prompter: person,
            makeTransport: { _ in transport }, makeVerifier: { SimVerifier() },
            storage: SystemStorage(owner: owner), hostName: { "sim" }, random: random, deviceIdentity: { machineID })
        switch InteractiveSignIn.run(loaded: device, environment: environment, prompter: person) {
        case .success: return SimLoginResult(reason: "signed-in", endMillis: clock.millis)
        case .failure(let outcome): return SimLoginResult(reason: outcome.reason.word, endMillis: clock.millis)
        }
    }

    /// One `jcfed directory sync --scheduled` on a device: the bindings through the System
    /// Context API, with the retry policy of a scheduled run.
    static func scheduledSync(systemKey: String, clock: SimClock, transport: HTTPTransport,
                              random: @escaping (Int64) -> Int64) -> SimSyncResult {
        var policy = RetryPolicy()
        policy.maxRateLimitedAttempts = RetryPolicy.scheduledRateLimitedAttempts
        let http = JumpCloudHTTP(transport: transport, clock: clock, log: NullLog(), policy: policy,
                                 timeoutSeconds: 30, random: random)
        let client = SystemContextClient(http: http, baseURL: "https://console.jumpcloud.com",
                                         systemKey: systemKey, signer: SimSigner())
        switch client.fetchBoundUserIDs() {
        case .success: return SimSyncResult(ok: true, endMillis: clock.millis)
        case .failure: return SimSyncResult(ok: false, endMillis: clock.millis)
        }
    }

    static func discoveryURL(_ loaded: LoadedConfig) -> String { Discovery.documentURL(for: loaded.config.idp) }

    static func base64url(_ bytes: [UInt8]) -> String { Base64.urlEncode(bytes) }
}

extension Glue {
    /// Steady state before the first simulated day: this device's cache holds discovery and keys
    /// fetched at `fetchedAtWall` (written through MetadataCache as a login would).
    static func prewarm(cacheDir: String, owner: UInt32, machineID: String, discoveryURL: String,
                        discovery: [UInt8], keysURL: String, keys: [UInt8], fetchedAtWall: Int64) -> Bool {
        guard case .success(let cache) = MetadataCache.open(directory: cacheDir, storage: SystemStorage(owner: owner), deviceIdentity: machineID) else {
            return false
        }
        return cache.write(url: discoveryURL, body: discovery, now: fetchedAtWall)
            && cache.write(url: keysURL, body: keys, now: fetchedAtWall)
    }
}

extension Glue {
    /// The org-wide `jcfed directory sync --scheduled --admin-host` on the one admin host that holds
    /// the API key: users, groups and members through JumpCloudAPI.
    static func adminSync(clock: SimClock, transport: HTTPTransport, random: @escaping (Int64) -> Int64) -> (ok: Bool, users: Int) {
        var policy = RetryPolicy()
        policy.maxRateLimitedAttempts = RetryPolicy.scheduledRateLimitedAttempts
        let http = JumpCloudHTTP(transport: transport, clock: clock, log: NullLog(), policy: policy,
                                 timeoutSeconds: 30, random: random)
        let api = JumpCloudAPI(http: http, baseURL: "https://console.jumpcloud.com", apiKey: "sim-api-key", orgID: nil)
        switch api.fetchDirectoryUsers() {
        case .success(let f): return (true, f.users.count)
        case .failure: return (false, 0)
        }
    }
}
