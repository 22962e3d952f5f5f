#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import JCFedCore
@testable import JCFedSystem

/// The whole login on a fixed clock: a scripted IdP, a scripted person, and an injected token
/// check (the real validator is tested on its own).
@Suite(.serialized) struct DeviceLoginTests {
    final class Rig {
        let dir = FlowFixtures.tempDir()
        let clock = FixedClock()
        let transport: FakeTransport
        let prompter: FakePrompter
        let log = MemoryLogSink()
        var config = JCFedConfig()
        var secret: String?
        var pamUser = "alice"
        var tokenResults: [Result<VerifiedIdentity, TokenRejection>]
        private(set) var contexts: [ValidationContext] = []
        private(set) var checkedTokens: [String] = []
        private(set) var qrRequests: [String] = []
        private(set) var transportsMade = 0
        var qrText: String? = "QR-BLOCKS"
        var injectCheck = true
        var hostName = "host01"
        var verifierUsable = true
        var randomValue: UInt64 = 7
        var blocks: Base64URLBlockDecoder?

        static let alice = VerifiedIdentity(issuer: FlowFixtures.issuer, tid: FlowFixtures.tenant, oid: "0b1d-oid", sub: "pairwise-sub",
                                            upn: "alice@contoso.com", preferredUsername: "alice@contoso.com")

        init(token: [Result<HTTPResponse, TransportError>] = [.success(FlowFixtures.response(200, FlowFixtures.tokenJSON()))]) {
            transport = FakeTransport(clock: clock)
            prompter = FakePrompter(clock: clock)
            tokenResults = [.success(Rig.alice)]
            config.idp = FlowFixtures.azureSettings(cacheDir: dir + "/cache")
            // Pins go to the rig's own directory, never to /var/lib/jcfed.
            config.mapping.stateDir = dir + "/state"
            transport.on("/openid-configuration", .success(FlowFixtures.response(200, FlowFixtures.discoveryJSON())))
            transport.on("/keys", .success(FlowFixtures.response(200, FlowFixtures.jwksJSON())))
            transport.on("/devicecode", .success(FlowFixtures.response(200, FlowFixtures.deviceCodeJSON())))
            transport.on("/token", token)
        }

        deinit { FlowFixtures.removeTree(dir) }

        func run() -> Outcome {
            let subject = LoginSubject(pamUser: pamUser, account: LocalAccount(name: pamUser, uid: 1001, gid: 1001),
                                       loaded: LoadedConfig(config: config, warnings: [], clientSecret: secret), directory: nil)
            let env = LoginEnvironment(
                log: log, clock: clock, users: FakeUsers.anyoneIsALocalUser(), prompter: prompter,
                makeTransport: { [unowned self] _ in self.transportsMade += 1; return self.transport },
                makeVerifier: { [unowned self] in FakeVerifier(usable: self.verifierUsable) },
                base64URLBlocks: blocks,
                makeQR: { [unowned self] url in self.qrRequests.append(url); return self.qrText },
                storage: SystemStorage(owner: UInt32(getuid())), hostName: { [unowned self] in self.hostName },
                random: { [unowned self] in self.randomValue })
            let check: DeviceLogin.TokenCheck = { [unowned self] token, context in
                self.checkedTokens.append(token)
                self.contexts.append(context)
                let r = self.tokenResults.first ?? .failure(TokenRejection(.malformed))
                if self.tokenResults.count > 1 { self.tokenResults.removeFirst() }
                return r
            }
            return DeviceLogin(subject: subject, environment: env, prompter: prompter,
                               tokenCheck: injectCheck ? check : nil).run()
        }

        var polls: [FakeTransport.Sent] { transport.requests(to: "/token") }
        var firstPromptAt: Int64? { prompter.prompts.first?.at }

        /// Everything an admin or the person could see, to search for secrets.
        func everythingShown(_ o: Outcome) -> String {
            ([log.text, o.adminDetail, o.userMessage ?? ""] + prompter.infos + prompter.prompts.map(\.text)).joined(separator: "\n")
        }
    }

    static func idpError(_ e: String, _ codes: [Int], status: Int = 400) -> Result<HTTPResponse, TransportError> {
        .success(FlowFixtures.response(status, FlowFixtures.errorJSON(e, codes: codes)))
    }

    // MARK: success

    @Test func signsInAfterThePromptAndValidatesAgainstTheDiscoveredIssuer() throws {
        let rig = Rig()
        let o = rig.run()
        #expect(o.kind == .success)
        #expect(o.userMessage == "Signed in as alice@contoso.com.")
        #expect(o.adminDetail.contains("oid=0b1d-oid"))
        // One info (where, the QR code, then the IdP's message) and one prompt, before any poll.
        #expect(rig.prompter.infos.count == 1)
        let info = try #require(rig.prompter.infos.first)
        #expect(info.hasPrefix("Signing in to host01 as alice with Entra OIDC.\nQR-BLOCKS\n"))
        #expect(info.hasSuffix("enter the code \(FlowFixtures.userCode) to authenticate."))
        #expect(rig.prompter.prompts.map(\.text) == [DevicePresentation.firstPrompt])
        #expect(rig.qrRequests == ["https://microsoft.com/devicelogin"])
        let firstPoll = try #require(rig.polls.first)
        #expect(firstPoll.at > (rig.firstPromptAt ?? .max))
        #expect(firstPoll.form["device_code"] == FlowFixtures.deviceCode)
        #expect(firstPoll.form["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code")
        #expect(rig.transport.sent.map { $0.request.url.split(separator: "/").last.map(String.init) ?? "" }
                == ["openid-configuration", "devicecode", "token", "keys"])
        #expect(rig.transportsMade == 1)
        // The validation context is pinned to the configuration and discovery.
        let c = try #require(rig.contexts.first)
        #expect(c.issuer == FlowFixtures.issuer)
        #expect(c.tenantID == FlowFixtures.tenant)
        #expect(c.clientID == FlowFixtures.client)
        #expect(c.allowedAlgorithms == [.rs256])
        #expect(c.keys.compactMap(\.kid) == ["key-1"])
        #expect(c.now == rig.clock.wallSeconds())
        #expect(c.clockSkew == 60)
        #expect(rig.checkedTokens == [FlowFixtures.idToken])
    }

    @Test func mappingIsCaseInsensitive() {
        let rig = Rig()
        rig.pamUser = "Alice"
        rig.tokenResults = [.success(VerifiedIdentity(issuer: FlowFixtures.issuer, tid: FlowFixtures.tenant, oid: "o", sub: "s",
                                                      upn: "ALICE@Contoso.com"))]
        let o = rig.run()
        #expect(o.kind == .success)
        #expect(o.userMessage == "Signed in as ALICE@Contoso.com.")
    }

    @Test func aCacheDirOthersCanWriteIsAServiceErrorBeforeAnyRequest() {
        let rig = Rig()
        let cache = rig.dir + "/cache"
        #expect(mkdir(cache, 0o700) == 0)
        #expect(chmod(cache, 0o777) == 0)
        let o = rig.run()
        #expect(o.kind == .serviceError)
        #expect(o.reason.word == "unsafe-cache-dir")
        #expect(o.adminDetail.contains("must not be writable by group or others"))
        #expect(o.userMessage == Outcome.misconfiguredMessage)
        #expect(rig.transport.requests(to: "/openid-configuration").isEmpty)
        #expect(rig.prompter.infos.isEmpty)
    }

    @Test func aMissingCacheDirIsCreatedAndUsed() {
        let rig = Rig()
        #expect(rig.run().kind == .success)
        var st = stat()
        #expect(lstat(rig.dir + "/cache", &st) == 0)
        #expect(UInt32(st.st_mode) & 0o777 == 0o700)
    }

    @Test func aSecondLoginUsesTheCacheForDiscoveryAndKeys() {
        let rig = Rig()
        #expect(rig.run().kind == .success)
        rig.clock.advance(millis: 600_000)
        #expect(rig.run().kind == .success)
        #expect(rig.transport.requests(to: "/openid-configuration").count == 1)
        #expect(rig.transport.requests(to: "/keys").count == 1)
        #expect(rig.transport.requests(to: "/devicecode").count == 2)
    }

    // MARK: the prompt rhythm

    @Test func pendingPollsThenAsksAgainThenSignsIn() {
        let rig = Rig(token: [FlowFixtures.pending(), FlowFixtures.pending(), .success(FlowFixtures.response(200, FlowFixtures.tokenJSON()))])
        let o = rig.run()
        #expect(o.kind == .success)
        #expect(rig.prompter.prompts.map(\.text) == [DevicePresentation.firstPrompt, DevicePresentation.againPrompt])
        #expect(rig.polls.map(\.at) == [3_000, 8_000, 13_000])
        // The second prompt came after the two polls of the first answer.
        #expect(rig.prompter.prompts.last?.at == 8_000)
    }

    @Test func slowDownSpacingIsHonoured() {
        let rig = Rig(token: [Self.idpError("slow_down", []), FlowFixtures.pending(), .success(FlowFixtures.response(200, FlowFixtures.tokenJSON()))])
        rig.transport.rttMillis = 150
        let o = rig.run()
        #expect(o.kind == .success)
        let times = rig.polls.map(\.at)
        #expect(times.count == 3)
        for (a, b) in zip(times, times.dropFirst()) { #expect(b - a >= 10_000) }
        #expect(rig.log.text.contains("polling every 10 s"))
    }

    /// Found by the fault matrix: an interval other than the default 5 s in the device code
    /// answer (Entra may send 1, 10, ...) was logged as "asked to slow down" before any poll.
    @Test func theCodesOwnIntervalIsNotASlowDown() {
        for interval in [1, 10] {
            let rig = Rig()
            rig.transport.on("/devicecode", .success(FlowFixtures.response(200, FlowFixtures.deviceCodeJSON(interval: interval))))
            #expect(rig.run().kind == .success)
            #expect(!rig.log.text.contains("slow down"), "interval \(interval)")
        }
    }

    @Test func pendingUntilTheCodeExpiresNeverPollsAfterExpiry() {
        let rig = Rig(token: [FlowFixtures.pending()])
        rig.transport.on("/devicecode", .success(FlowFixtures.response(200, FlowFixtures.deviceCodeJSON(interval: 5, expiresIn: 40))))
        rig.transport.rttMillis = 100
        let o = rig.run()
        #expect(o.kind == .authError)
        #expect(o.reason.word == "expired")
        #expect(o.userMessage == "The code expired.")
        let requestedAt = rig.transport.requests(to: "/devicecode").first?.at ?? 0
        #expect(!rig.polls.isEmpty)
        #expect(rig.polls.allSatisfy { $0.at < requestedAt + 40_000 })
        #expect(rig.prompter.prompts.count >= 3)
    }

    @Test func loginTimeoutEndsTheFlow() {
        let rig = Rig(token: [FlowFixtures.pending()])
        rig.config.idp.loginTimeout = 30
        let o = rig.run()
        #expect(o.kind == .authError)
        #expect(o.reason.word == "timeout")
        #expect(o.userMessage == "The sign-in took too long.")
        #expect(rig.polls.allSatisfy { $0.at < 30_000 })
        #expect(rig.transport.sent.allSatisfy { $0.timeout <= 10 })
    }

    @Test func aPersonWhoAnswersAfterTheDeadlineCausesNoPoll() {
        let rig = Rig()
        rig.prompter.thinkMillis = 200_000
        let o = rig.run()
        #expect(o.reason.word == "timeout")
        #expect(rig.polls.isEmpty)
    }

    @Test func requestTimeoutsNeverOutliveTheDeadline() {
        let rig = Rig(token: [FlowFixtures.pending()])
        rig.config.idp.loginTimeout = 14
        rig.config.idp.httpTimeout = 10
        rig.prompter.thinkMillis = 1_000
        _ = rig.run()
        for s in rig.transport.sent {
            #expect(s.timeout <= 10)
            #expect(Int64(s.timeout) * 1000 <= 14_000 - s.at + 999)
        }
    }

    // MARK: the conversation

    @Test func conversationFailureAtTheFirstPromptStopsBeforeAnyPoll() {
        let rig = Rig()
        rig.prompter.answers = [nil]
        let o = rig.run()
        #expect(o.kind == .convError)
        #expect(rig.polls.isEmpty)
    }

    @Test func infoFailureIsAConversationError() {
        let rig = Rig()
        rig.prompter.infoSucceeds = false
        #expect(rig.run().kind == .convError)
        #expect(rig.prompter.prompts.isEmpty)
        #expect(rig.polls.isEmpty)
    }

    @Test func conversationFailureAtALaterPrompt() {
        let rig = Rig(token: [FlowFixtures.pending()])
        rig.prompter.answers = ["", nil]
        #expect(rig.run().kind == .convError)
        #expect(rig.polls.count == 2)
    }

    @Test(arguments: [
        (QRMode.auto, true, true),
        (QRMode.auto, false, false),
        (QRMode.on, false, true),
        (QRMode.off, true, false),
    ])
    func qrCodeOnlyWhenWanted(mode: QRMode, terminal: Bool, shown: Bool) {
        let rig = Rig()
        rig.config.idp.qr = mode
        rig.prompter.isTerminal = terminal
        _ = rig.run()
        #expect(rig.qrRequests.isEmpty == !shown)
        #expect((rig.prompter.infos.first ?? "").contains("QR-BLOCKS") == shown)
    }

    @Test func ourOwnTextWhenTheIdPSendsNoMessage() {
        let rig = Rig()
        rig.qrText = nil
        rig.transport.on("/devicecode", .success(FlowFixtures.response(200, FlowFixtures.deviceCodeJSON(message: false))))
        _ = rig.run()
        #expect(rig.prompter.infos == ["Signing in to host01 as alice with Entra OIDC.\n"
            + "To sign in, open https://microsoft.com/devicelogin in a browser and enter the code \(FlowFixtures.userCode)."])
    }

    /// The person sees which machine, which account and which IdP they approve, in our words and
    /// before the IdP's sentence (device-code phishing hands out codes for someone else's login).
    @Test func theSignInNamesTheMachineTheAccountAndTheIdP() throws {
        let rig = Rig()
        rig.config.idp.name = "Contoso\u{202E} Entra ID"
        rig.hostName = "db-07\u{1B}[2J"
        _ = rig.run()
        let info = try #require(rig.prompter.infos.first)
        #expect(info.hasPrefix("Signing in to db-07[2J as alice with Contoso Entra ID.\n"))
        #expect(DevicePresentation.header(host: "", account: "alice", idpName: "") == "Signing in as alice.")
    }

    // MARK: failures and their outcomes

    @Test(arguments: [
        ("authorization_declined", [Int](), Outcome.Kind.authError, "declined", "The sign-in was declined."),
        ("expired_token", [70020], .authError, "expired", "The code expired."),
        ("bad_verification_code", [], .authError, "bad-code", "The sign-in code was not accepted."),
        ("invalid_grant", [53003], .authError, "grant-refused", "Your organization's sign-in policy refused this sign-in."),
        ("invalid_client", [7_000_218], .serviceError, "client-secret-required", Outcome.misconfiguredMessage),
        ("invalid_client", [700_025], .serviceError, "client-secret-not-allowed", Outcome.misconfiguredMessage),
        ("unauthorized_client", [700_016], .serviceError, "client-rejected", Outcome.misconfiguredMessage),
        ("invalid_request", [900_144], .serviceError, "invalid-request", Outcome.misconfiguredMessage),
        ("temporarily_unavailable", [], .unavailable, "idp-unavailable", Outcome.unavailableLocalPasswordMessage),
        // Entra's throttle is not a policy refusal; the stack's offline policy applies.
        ("invalid_grant", [50_196], .unavailable, "idp-throttled", Outcome.unavailableLocalPasswordMessage),
    ])
    func tokenEndpointErrors(error: String, codes: [Int], kind: Outcome.Kind, reason: String, message: String) {
        let rig = Rig(token: [Self.idpError(error, codes)])
        let o = rig.run()
        #expect(o.kind == kind)
        #expect(o.reason.word == reason)
        #expect(o.userMessage == message)
        for c in codes { #expect(o.adminDetail.contains("AADSTS\(c)")) }
        #expect(o.adminDetail.contains("correlation_id=c0ffee00-1111-2222-3333-444455556666"))
    }

    /// A token endpoint that answers 429 for ever, and a person who presses
    /// Enter every 10 s. Polls never outnumber two per Enter, back off, and the login ends as
    /// throttled (PAM_AUTHINFO_UNAVAIL) once the next wait does not fit, not at login_timeout.
    @Test func persistentTokenRateLimitPollsOnlyPerEnterAndEndsThrottled() {
        let rig = Rig(token: [.success(FlowFixtures.response(429, "{}"))])
        rig.prompter.thinkMillis = 10_000
        let o = rig.run()
        #expect(o.kind == .unavailable)
        #expect(o.reason.word == "idp-throttled")
        #expect(o.userMessage == Outcome.unavailableLocalPasswordMessage)
        #expect(o.adminDetail.contains("throttling") && o.adminDetail.contains("HTTP 429"))
        #expect(rig.log.text.contains("identity provider throttled poll 1 (HTTP 429, Retry-After none)"))
        let times = rig.polls.map(\.at)
        #expect(!times.isEmpty)
        #expect(times.count <= 2 * rig.prompter.prompts.count, "\(times.count) polls for \(rig.prompter.prompts.count) answers")
        #expect(times.count <= 8, "\(times)")
        for (a, b) in zip(times, times.dropFirst()) { #expect(b - a >= 5_000) }
        #expect(rig.clock.monotonicMillis() < 110_000)
    }

    /// A Retry-After given as an HTTP-date (RFC 9110) is read against the wall clock when the
    /// answer arrives: the next poll waits for it, not just for the interval.
    @Test func aRetryAfterDateIsWaitedFor() {
        let rig = Rig()
        let until = HTTPDate.format(rig.clock.wallSeconds() + 30)
        rig.transport.on("/token", [.success(FlowFixtures.response(429, "{}", headers: ["retry-after": until])),
                                    .success(FlowFixtures.response(200, FlowFixtures.tokenJSON()))])
        let o = rig.run()
        #expect(o.kind == .success)
        let times = rig.polls.map(\.at)
        #expect(times.count == 2)
        if times.count == 2 {
            // About 30 s less the time the prompt took, plus at most half again of jitter.
            #expect(times[1] - times[0] >= 25_000 && times[1] - times[0] <= 45_000, "\(times)")
        }
        #expect(!rig.log.text.contains("Retry-After none"))
        #expect(rig.log.text.contains("identity provider throttled poll 1 (HTTP 429, Retry-After 2"))
    }

    @Test func aDeviceCodeRateLimitIsThrottled() {
        let rig = Rig()
        rig.transport.on("/devicecode", .success(FlowFixtures.response(429, "{}", headers: ["retry-after": "30"])))
        let o = rig.run()
        #expect(o.kind == .unavailable)
        #expect(o.reason.word == "idp-throttled")
    }

    @Test func adminLinesNameTheFixForClientSecretProblems() {
        let required = Rig(token: [Self.idpError("invalid_client", [7_000_218], status: 401)]).run()
        #expect(required.adminDetail.contains("needs a client secret"))
        let rejected = Rig(token: [Self.idpError("invalid_client", [700_025], status: 401)]).run()
        #expect(rejected.adminDetail.contains("must not be sent a secret"))
    }

    @Test func deviceCodeErrorWithHTTP200() {
        let rig = Rig()
        rig.transport.on("/devicecode", Self.idpError("invalid_client", [7_000_218], status: 200))
        let o = rig.run()
        #expect(o.reason.word == "client-secret-required")
        #expect(rig.prompter.events.isEmpty)
    }

    @Test func outOfMemoryIsABufferError() {
        let early = Rig()
        early.transport.on("/openid-configuration", .failure(.outOfMemory))
        #expect(early.run().kind == .bufError)
        let polling = Rig(token: [FlowFixtures.pending(), .failure(.outOfMemory)])
        #expect(polling.run().kind == .bufError)
    }

    @Test func unreachableIdPIsUnavailable() {
        for failure in [TransportError.dns, .connect, .tls, .timeout] {
            let rig = Rig()
            rig.transport.on("/openid-configuration", .failure(failure))
            let o = rig.run()
            #expect(o.kind == .unavailable)
            #expect(o.userMessage == Outcome.unavailableLocalPasswordMessage)
            #expect(rig.prompter.events.isEmpty)
        }
        // Under pam.offline = deny nothing comes next: the person is told to try later.
        let denied = Rig()
        denied.config.pam.offline = .deny
        denied.transport.on("/openid-configuration", .failure(.connect))
        #expect(denied.run().userMessage == Outcome.unavailableMessage)
        let midway = Rig(token: [FlowFixtures.pending(), .failure(.connect)])
        #expect(midway.run().kind == .unavailable)
        let fiveHundred = Rig(token: [.success(FlowFixtures.response(502, "Bad Gateway"))])
        #expect(fiveHundred.run().kind == .unavailable)
        let keysDown = Rig()
        keysDown.transport.on("/keys", .failure(.timeout))
        #expect(keysDown.run().kind == .unavailable)
    }

    @Test func garbageFromTheTokenEndpointFailsClosed() {
        let rig = Rig(token: [.success(FlowFixtures.response(200, "<html>captive portal</html>"))])
        let o = rig.run()
        #expect(o.kind == .unavailable)
        #expect(o.reason.word == "idp-garbage")
        #expect(rig.checkedTokens.isEmpty)
    }

    @Test func wrongUserIsRefused() {
        let rig = Rig()
        rig.tokenResults = [.success(VerifiedIdentity(issuer: FlowFixtures.issuer, tid: FlowFixtures.tenant, oid: "o", sub: "s",
                                                      upn: "bob@contoso.com"))]
        let o = rig.run()
        #expect(o.kind == .authError)
        #expect(o.reason.word == "wrong-user")
        #expect(o.userMessage == "That account is not allowed to log in as alice.")
        #expect(o.adminDetail.contains("'bob'"))
    }

    @Test func identityWithoutAMappableClaimIsRefused() {
        let rig = Rig()
        rig.tokenResults = [.success(VerifiedIdentity(issuer: FlowFixtures.issuer, tid: FlowFixtures.tenant, oid: "o", sub: "s"))]
        let o = rig.run()
        #expect(o.kind == .authError)
        #expect(o.userMessage == "That account is not allowed to log in as alice.")
    }

    @Test func rejectedTokenIsAnAuthError() {
        let rig = Rig()
        rig.tokenResults = [.failure(TokenRejection(.badSignature, "signature does not verify"))]
        let o = rig.run()
        #expect(o.kind == .authError)
        #expect(o.reason.word == "bad-token")
        #expect(o.userMessage == "The sign-in could not be verified.")
        #expect(o.adminDetail == "ID token rejected: badSignature: signature does not verify")
    }

    @Test func theRealValidatorIsUsedWhenNoneIsInjected() {
        let rig = Rig()
        rig.injectCheck = false
        let o = rig.run()
        #expect(o.kind == .authError)
        #expect(o.reason.word == "bad-token")
    }

    /// The environment's base64url blocks (the module's AVX2) decode the token in a login.
    @Test func theRealValidatorDecodesWithTheEnvironmentsBlockDecoder() {
        final class Recording: Base64URLBlockDecoder {
            var calls = 0
            func decodeBlocks(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int? {
                calls += 1
                return 0
            }
        }
        let recording = Recording()
        // Segments of at least 32 characters (whole blocks to offer the decoder).
        let long = Base64.urlEncode(Array(#"{"sub":"0123456789abcdef0123456789abcdef","iss":"x"}"#.utf8))
        let rig = Rig(token: [.success(FlowFixtures.response(200, FlowFixtures.tokenJSON(idToken: "\(long).\(long).\(long)")))])
        rig.injectCheck = false
        rig.blocks = recording
        #expect(rig.run().reason.word == "bad-token")
        #expect(recording.calls > 0)
    }

    /// Without libcrypto no token can verify: the login is a service error before any request,
    /// so nobody completes MFA only to be told their sign-in could not be verified.
    @Test func aMissingCryptoLibraryStopsTheLoginBeforeTheSignIn() {
        let rig = Rig()
        rig.injectCheck = false
        rig.verifierUsable = false
        let o = rig.run()
        #expect(o.kind == .serviceError && o.reason.word == "libcrypto-missing")
        #expect(o.adminDetail.contains("libssl3"))
        #expect(rig.transportsMade == 0 || rig.transport.requests(to: "/devicecode").isEmpty)
        #expect(rig.prompter.events.isEmpty)
    }

    // MARK: keys

    @Test func unknownKidRefreshesTheKeysOnceThenValidates() throws {
        let rig = Rig()
        #expect(rig.run().kind == .success)          // warms the cache
        rig.clock.advance(millis: 120_000)
        rig.transport.on("/keys", .success(FlowFixtures.response(200, FlowFixtures.jwksJSON(kids: ["key-1", "key-2"]))))
        rig.tokenResults = [.failure(TokenRejection(.unknownKid)), .success(Rig.alice)]
        #expect(rig.run().kind == .success)
        #expect(rig.transport.requests(to: "/keys").count == 2)
        #expect(rig.contexts.last?.keys.compactMap(\.kid) == ["key-1", "key-2"])

        // Within the minute another unknown kid: no fetch, and the token is refused.
        rig.clock.advance(millis: 20_000)
        rig.tokenResults = [.failure(TokenRejection(.unknownKid))]
        let o = rig.run()
        #expect(o.kind == .authError)
        #expect(o.adminDetail.hasPrefix("ID token rejected: unknownKid"))
        #expect(rig.transport.requests(to: "/keys").count == 2)
    }

    @Test func unknownKidWithKeysFetchedInThisLoginIsNotRefetched() {
        let rig = Rig()
        rig.tokenResults = [.failure(TokenRejection(.unknownKid))]
        #expect(rig.run().reason.word == "bad-token")
        #expect(rig.transport.requests(to: "/keys").count == 1)
        #expect(rig.checkedTokens.count == 1)
    }

    // MARK: client authentication and secrecy

    @Test func confidentialClientSendsItsSecretOnBothEndpoints() {
        let rig = Rig()
        rig.secret = "very-secret-value"
        #expect(rig.run().kind == .success)
        #expect(rig.transport.requests(to: "/devicecode").first?.form["client_secret"] == "very-secret-value")
        #expect(rig.polls.first?.form["client_secret"] == "very-secret-value")
        #expect(rig.transport.requests(to: "/openid-configuration").first?.request.body.isEmpty == true)
    }

    @Test func publicClientSendsNoSecret() {
        let rig = Rig()
        _ = rig.run()
        #expect(rig.transport.sent.allSatisfy { $0.form["client_secret"] == nil })
        #expect(rig.transport.requests(to: "/devicecode").first?.form["scope"] == "openid profile email")
    }

    @Test func noSecretOrTokenOrAnswerIsEverLoggedOrShown() {
        let scripts: [[Result<HTTPResponse, TransportError>]] = [
            [.success(FlowFixtures.response(200, FlowFixtures.tokenJSON()))],
            [FlowFixtures.pending(), FlowFixtures.pending(), Self.idpError("slow_down", []), Self.idpError("invalid_grant", [50076])],
            [Self.idpError("invalid_client", [700_025])],
            [.success(FlowFixtures.response(200, "{\"access_token\":\"ACCESS-TOKEN-SECRET\"}"))],
        ]
        for (i, script) in scripts.enumerated() {
            let rig = Rig(token: script)
            rig.secret = "very-secret-value"
            rig.prompter.answers = ["typed-password-by-mistake"]
            if i == 0 { rig.tokenResults = [.failure(TokenRejection(.badSignature))] }
            let o = rig.run()
            let shown = rig.everythingShown(o)
            for secret in [FlowFixtures.deviceCode, FlowFixtures.idToken, "ACCESS-TOKEN-SECRET", "very-secret-value", "typed-password-by-mistake"] {
                #expect(!shown.contains(secret), "script \(i) shows \(secret)")
            }
        }
    }

    @Test func multiTenantAuthorityIsAServiceError() {
        let rig = Rig()
        rig.config.idp.url = "https://login.microsoftonline.com/common"
        let o = rig.run()
        #expect(o.kind == .serviceError)
        #expect(o.reason.word == "multi-tenant-authority")
        #expect(rig.transport.sent.isEmpty)
    }
}
