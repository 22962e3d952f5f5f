/// One federated login: discovery and keys, the device authorization grant, presentation to the
/// person, ID-token validation, identity mapping and pinning, within the login deadline.
///
/// The protocol decisions live in DeviceFlowMachine; this type only performs its actions over
/// one transport (so the polls reuse one connection), the prompter and the clock.
struct DeviceLogin {
    /// Validates a compact ID token against a context. TokenValidator in production; tests
    /// inject their own so the flow is tested apart from the cryptography.
    typealias TokenCheck = (String, ValidationContext) -> Result<VerifiedIdentity, TokenRejection>

    /// A guard on the loop; the deadline ends every flow long before.
    static let maxSteps = 10_000

    let subject: LoginSubject
    let environment: LoginEnvironment
    let prompter: Prompter
    let tokenCheck: TokenCheck?

    init(subject: LoginSubject, environment: LoginEnvironment, prompter: Prompter) {
        self.init(subject: subject, environment: environment, prompter: prompter, tokenCheck: nil)
    }

    init(subject: LoginSubject, environment: LoginEnvironment, prompter: Prompter, tokenCheck: TokenCheck?) {
        self.subject = subject
        self.environment = environment
        self.prompter = prompter
        self.tokenCheck = tokenCheck
    }

    private var idp: IdPSettings { subject.config.idp }
    private var log: LogSink { environment.log }
    private var clock: Clock { environment.clock }

    func run() -> Outcome {
        switch signIn() {
        case .failure(let outcome): return Outcome.forOfflinePolicy(outcome, subject.config.pam.offline)
        case .success(let identity): return authorize(identity)
        }
    }

    /// Discovery, the device flow and token validation: the verified identity of whoever signed
    /// in, before it is checked against the PAM user (`jcfed idp test --user` stops here).
    func signIn() -> Result<VerifiedIdentity, Outcome> {
        // The verifier first: without libcrypto no token can ever verify, and finding that out
        // after the person completed MFA would blame their sign-in for a broken installation.
        let check: TokenCheck
        if let injected = tokenCheck {
            check = injected
        } else {
            let verifier = environment.makeVerifier()
            guard verifier.isUsable else { return .failure(Outcome.verifierMissing) }
            let blocks = environment.base64URLBlocks
            check = { token, context in TokenValidator.validate(token, context: context, verifier: verifier, blocks: blocks) }
        }
        let deadline = clock.monotonicMillis() + Int64(idp.loginTimeout) * 1000
        let budget = RequestBudget(clock: clock, deadline: deadline, httpTimeout: idp.httpTimeout)
        let cache: MetadataCache?
        switch openCache() {
        case .failure(let outcome): return .failure(outcome)
        case .success(let c): cache = c
        }
        let transport = environment.makeTransport(idp)
        let provider = ProviderClient(settings: idp, transport: transport, cache: cache, clock: clock,
                                      budget: budget, log: log)
        let metadata: ProviderMetadata
        switch provider.metadata() {
        case .failure(let e): return .failure(Outcome.discovery(e))
        case .success(let m): metadata = m
        }
        let idToken: String
        switch deviceFlow(metadata, deadline: deadline, budget: budget, transport: transport) {
        case .failure(let outcome): return .failure(outcome)
        case .success(let t): idToken = t
        }
        return verify(idToken, metadata: metadata, provider: provider, check: check)
    }

    // MARK: steps

    /// The discovery and keys cache. A cache_dir that others could change is refused (they could
    /// plant signing keys, or swap a folder for a link when it is cleared): a service error, not a
    /// login without the cache. One that cannot be created is only a warning.
    private func openCache() -> Result<MetadataCache?, Outcome> {
        switch MetadataCache.open(directory: idp.cacheDir, storage: environment.storage,
                                  deviceIdentity: environment.deviceIdentity(), maxStaleSeconds: Int64(idp.cacheMaxStale)) {
        case .success(let c): return .success(c)
        case .failure(let p) where p.isUnsafe:
            return .failure(.unsafeCacheDir(p.description))
        case .failure(let p):
            log.log(.warning, "idp.cache_dir cannot be used (\(p.description)); discovery and keys are fetched on every login")
            return .success(nil)
        }
    }

    /// Runs the device authorization grant to an ID token, or the outcome that ends the login.
    private func deviceFlow(_ metadata: ProviderMetadata, deadline: Int64, budget: RequestBudget,
                            transport: HTTPTransport) -> Result<String, Outcome> {
        let requests = DeviceFlowRequests(deviceAuthorizationEndpoint: metadata.deviceAuthorizationEndpoint,
                                          tokenEndpoint: metadata.tokenEndpoint, clientID: idp.clientID,
                                          clientSecret: subject.loaded.clientSecret, scopes: idp.scopes)
        var machine = DeviceFlowMachine(loginDeadline: deadline, jitterSeed: environment.random())
        var action = machine.handle(.start, now: clock.monotonicMillis())
        for _ in 0..<DeviceLogin.maxSteps {
            let event: DeviceFlowMachine.Event
            switch action {
            case .requestCode:
                switch budget.send(requests.deviceCode(), over: transport) {
                case .failure(let e): event = .transportFailed(e)
                case .success(let r): event = .codeReply(IdPAnswer(r, receivedAt: clock.wallSeconds()))
                }
            case .present(let a):
                log.debug("device code issued: expires_in=\(a.expiresIn) interval=\(a.interval)")
                guard present(a) else { return .failure(Outcome.conversationFailed) }
                event = .answered
            case .promptAgain:
                guard prompter.prompt(DevicePresentation.againPrompt, echo: false) != nil else {
                    return .failure(Outcome.conversationFailed)
                }
                event = .answered
            case .wait(let until):
                let wait = until - clock.monotonicMillis()
                if wait > 0 { clock.sleep(millis: wait) }
                event = .timeReached
            case .poll(let deviceCode):
                switch budget.send(requests.token(deviceCode: deviceCode), over: transport) {
                case .failure(let e): event = .transportFailed(e)
                case .success(let r):
                    let reply = IdPAnswer<IDToken>(r, receivedAt: clock.wallSeconds())
                    if case .error(let e) = reply { log.debug("poll \(machine.pollCount): \(e.description)") }
                    event = .tokenReply(reply)
                }
            case .done(let token):
                log.debug("device flow complete after \(machine.pollCount) poll(s)")
                return .success(token)
            case .fail(let f):
                return .failure(Outcome.flow(f, loginTimeout: idp.loginTimeout))
            }
            let interval = machine.intervalMillis
            action = machine.handle(event, now: clock.monotonicMillis())
            // Only a poll's answer can slow us down; the code's own interval is not news.
            if case .tokenReply = event, machine.intervalMillis > interval {
                log.log(.info, "identity provider asked to slow down; polling every \(machine.intervalMillis / 1000) s")
            }
            if case .tokenReply(.rateLimited(let retryAfter)) = event {
                log.log(.info, "identity provider throttled poll \(machine.pollCount) (HTTP 429, Retry-After \(retryAfter.map { "\($0) s" } ?? "none"))")
            }
        }
        return .failure(Outcome.flow(FlowFailure(.outOfOrder, detail: "step limit"), loginTimeout: idp.loginTimeout))
    }

    /// One info message (QR code and instructions), then the prompt that makes OpenSSH show it.
    private func present(_ a: DeviceAuthorization) -> Bool {
        var qr: String?
        if DevicePresentation.wantsQR(idp.qr, isTerminal: prompter.isTerminal) {
            qr = environment.makeQR(a.qrTarget)
        }
        let header = DevicePresentation.header(host: environment.hostName(), account: subject.account.name,
                                               idpName: idp.name)
        guard prompter.info(DevicePresentation.message(a, qr: qr, header: header)) else { return false }
        return prompter.prompt(DevicePresentation.firstPrompt, echo: false) != nil
    }

    /// Validates the ID token; when it names a key we do not have, refreshes the keys once
    /// (rate-limited across logins) and validates again.
    private func verify(_ token: String, metadata: ProviderMetadata, provider: ProviderClient,
                        check: TokenCheck) -> Result<VerifiedIdentity, Outcome> {
        var keys: [JWK]
        switch provider.keys(metadata) {
        case .failure(let e): return .failure(Outcome.discovery(e))
        case .success(let k): keys = k
        }
        var result = check(token, context(metadata, keys: keys))
        if case .failure(let r) = result, r.code == .unknownKid,
           let refreshed = provider.refreshKeysForUnknownKid(metadata) {
            switch refreshed {
            case .failure(let e): return .failure(Outcome.discovery(e))
            case .success(let k): keys = k
            }
            result = check(token, context(metadata, keys: keys))
        }
        switch result {
        case .failure(let r): return .failure(Outcome.tokenRejected(r))
        case .success(let identity): return .success(identity)
        }
    }

    private func context(_ metadata: ProviderMetadata, keys: [JWK]) -> ValidationContext {
        ValidationContext(issuer: metadata.expectedTokenIssuer,
                          tenantID: idp.type == .azure ? idp.tenantID : nil,
                          clientID: idp.clientID,
                          allowedAlgorithms: Discovery.allowedAlgorithms(metadata, settings: idp),
                          keys: keys, now: clock.wallSeconds(), clockSkew: Int64(idp.clockSkew))
    }

    /// The identity must map to exactly the PAM user, exist in NSS, and (with pin_identity) be
    /// the tid+oid bound to that account (IdentityMapper.authorize).
    private func authorize(_ identity: VerifiedIdentity) -> Outcome {
        let who = "tid=\(SafeText.field(identity.tid ?? "-")) oid=\(SafeText.field(identity.oid))"
        switch IdentityMapper.authorize(identity, subject: subject, environment: environment) {
        case .failure(let rejection):
            return .refused(rejection, pamUser: subject.pamUser, identity: who)
        case .success:
            let shown = displayName(identity)
            return .signedIn(as: shown, identity: who)
        }
    }

    /// The first configured mapping claim the token carries, else `sub`, cleaned for a terminal.
    private func displayName(_ identity: VerifiedIdentity) -> String {
        let raw = subject.config.mapping.claims.lazy.compactMap { identity.claim($0) }.first { !$0.isEmpty } ?? identity.sub
        return SafeText.forPerson(raw, max: 128) ?? SafeText.value(subject.pamUser, max: 128)
    }
}
