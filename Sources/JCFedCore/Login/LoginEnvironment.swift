/// The edges a login needs, injected so the whole stage runs in tests with fakes.
/// Transport and verifier are factories: a user who is not federated never loads libcurl's
/// connection machinery or parses a key.
public struct LoginEnvironment {
    public var log: LogSink
    public var clock: Clock
    public var users: UserDatabase
    /// nil when the PAM host has no conversation function.
    public var prompter: Prompter?
    public var makeTransport: (IdPSettings) -> HTTPTransport
    public var makeVerifier: () -> SignatureVerifier
    /// SIMD for the token's base64url (SIMDBase64URLBlocks in the module and the tool); nil:
    /// the core's portable decoder does it all, with the same verdicts.
    public var base64URLBlocks: Base64URLBlockDecoder?
    /// Renders a QR code for a terminal, nil when not possible.
    public var makeQR: (String) -> String?
    /// The configuration, client secret, directory, pins and cache: files root owns, opened and
    /// checked by the storage (SystemStorage in the module, an in-memory one in stage tests).
    public var storage: ModuleStorage
    /// This machine's name, shown at sign-in so the person knows what they approve ("" if
    /// unknown). A function: only a federated sign-in asks, the not-federated path never does.
    public var hostName: () -> String
    /// Random bits for spreading retries (the 429 backoff jitter): SystemRandom.seed in the
    /// module and the tool; a fixed value (0 unless given) in tests.
    public var random: () -> UInt64
    /// A stable identity of this machine (e.g. /etc/machine-id), "" if unknown: it spreads the
    /// cache lifetimes of a fleet over hours (MetadataCache.spreadSeconds).
    public var deviceIdentity: () -> String
    /// jcfed.conf as parsed by an earlier stage of this PAM transaction (the PAM handle's data
    /// in the module); nil: every stage reads the file.
    public var configMemory: ConfigMemory?
    /// Where not-federated decisions are kept for the front module (SystemNotFederatedMemo in the
    /// module); nil: none are kept.
    public var notFederatedMemo: NotFederatedMemo?

    public init(log: LogSink, clock: Clock, users: UserDatabase, prompter: Prompter?,
                makeTransport: @escaping (IdPSettings) -> HTTPTransport,
                makeVerifier: @escaping () -> SignatureVerifier,
                base64URLBlocks: Base64URLBlockDecoder? = nil,
                makeQR: @escaping (String) -> String? = { _ in nil },
                storage: ModuleStorage, hostName: @escaping () -> String = { "" },
                random: @escaping () -> UInt64 = { 0 },
                deviceIdentity: @escaping () -> String = { "" },
                configMemory: ConfigMemory? = nil, notFederatedMemo: NotFederatedMemo? = nil) {
        self.log = log
        self.clock = clock
        self.users = users
        self.prompter = prompter
        self.makeTransport = makeTransport
        self.makeVerifier = makeVerifier
        self.base64URLBlocks = base64URLBlocks
        self.makeQR = makeQR
        self.storage = storage
        self.hostName = hostName
        self.random = random
        self.deviceIdentity = deviceIdentity
        self.configMemory = configMemory
        self.notFederatedMemo = notFederatedMemo
    }
}
