import Testing
@testable import JCFedCore

/// The device-flow rules on a fixed clock: every time is an explicit millisecond value.
@Suite struct DeviceFlowMachineTests {
    typealias M = DeviceFlowMachine

    static func auth(interval: Int = 5, expiresIn: Int = 900) -> DeviceAuthorization {
        DeviceAuthorization(userCode: FlowFixtures.userCode, deviceCode: FlowFixtures.deviceCode,
                            verificationURI: "https://microsoft.com/devicelogin", expiresIn: expiresIn, interval: interval)
    }

    static func error(_ e: String, _ codes: [Int] = [], status: Int = 400) -> M.Event {
        .tokenReply(.error(IdPError(error: e, codes: codes, correlationID: "corr", httpStatus: status)))
    }

    static let pending = error("authorization_pending", [70016])
    static let poll = M.Action.poll(deviceCode: FlowFixtures.deviceCode)

    /// A machine that has shown the code (requested at t=0, presented at t=100).
    static func presented(interval: Int = 5, expiresIn: Int = 900, deadline: Int64 = 1_000_000) -> M {
        var m = M(loginDeadline: deadline)
        #expect(m.handle(.start, now: 0) == .requestCode)
        #expect(m.handle(.codeReply(.success(auth(interval: interval, expiresIn: expiresIn))), now: 100)
                == .present(auth(interval: interval, expiresIn: expiresIn)))
        return m
    }

    // MARK: the happy path and the prompt rhythm

    @Test func requestsCodeThenPresentsThenPollsOnlyAfterTheAnswer() {
        var m = Self.presented()
        #expect(m.pollCount == 0)
        #expect(m.handle(.answered, now: 20_000) == Self.poll)
        #expect(m.handle(Self.pending, now: 20_200) == .wait(untilMillis: 25_200))
        #expect(m.handle(.timeReached, now: 25_200) == Self.poll)
        #expect(m.handle(Self.pending, now: 25_300) == .promptAgain)
        #expect(m.pollCount == 2)
        #expect(m.handle(.answered, now: 40_000) == Self.poll)
        #expect(m.handle(.tokenReply(.success(IDToken("t"))), now: 40_100) == .done(idToken: "t"))
    }

    @Test func anEarlyAnswerStillWaitsOneIntervalAfterTheLastPoll() {
        var m = Self.presented()
        _ = m.handle(.answered, now: 10_000)
        _ = m.handle(Self.pending, now: 10_100)
        // Woken early (a signal): keep waiting, do not poll.
        #expect(m.handle(.timeReached, now: 12_000) == .wait(untilMillis: 15_100))
        #expect(m.handle(.timeReached, now: 15_100) == Self.poll)
        #expect(m.handle(Self.pending, now: 15_100) == .promptAgain)
        // Enter pressed again at once: the next poll still keeps the interval.
        #expect(m.handle(.answered, now: 16_000) == .wait(untilMillis: 20_100))
    }

    @Test func intervalFromTheResponseIsUsed() {
        var m = Self.presented(interval: 9)
        _ = m.handle(.answered, now: 1_000)
        #expect(m.handle(Self.pending, now: 1_000) == .wait(untilMillis: 10_000))
    }

    @Test func finalActionRepeatsAfterTheEnd() {
        var m = Self.presented()
        _ = m.handle(.answered, now: 1_000)
        let declined = m.handle(Self.error("authorization_declined"), now: 1_100)
        #expect(declined == .fail(FlowFailure(.declined, idpError: IdPError(error: "authorization_declined", correlationID: "corr"), httpStatus: 400)))
        #expect(m.handle(.answered, now: 2_000) == declined)
        #expect(m.handle(.tokenReply(.success(IDToken("t"))), now: 2_000) == declined)
    }

    // MARK: slow_down

    @Test func slowDownAddsFiveSecondsForTheRestOfTheFlow() {
        var m = Self.presented()
        _ = m.handle(.answered, now: 10_000)
        #expect(m.handle(Self.error("slow_down"), now: 10_000) == .wait(untilMillis: 20_000))
        #expect(m.intervalMillis == 10_000)
        #expect(m.handle(.timeReached, now: 20_000) == Self.poll)
        #expect(m.handle(Self.pending, now: 20_000) == .promptAgain)
        #expect(m.handle(.answered, now: 21_000) == .wait(untilMillis: 30_000))
        #expect(m.handle(.timeReached, now: 30_000) == Self.poll)
        #expect(m.handle(Self.pending, now: 30_000) == .wait(untilMillis: 40_000))
    }

    @Test func slowDownAccumulates() {
        var m = Self.presented()
        _ = m.handle(.answered, now: 0)
        _ = m.handle(Self.error("slow_down"), now: 0)
        _ = m.handle(.timeReached, now: 10_000)
        _ = m.handle(Self.error("slow_down"), now: 10_000)
        #expect(m.intervalMillis == 15_000)
        #expect(m.handle(.answered, now: 11_000) == .wait(untilMillis: 25_000))
    }

    // MARK: expiry and deadline

    @Test func neverPollsAtOrAfterExpiry() {
        // Requested at 0, expires at 15 000.
        var m = Self.presented(interval: 5, expiresIn: 15)
        #expect(m.handle(.answered, now: 1_000) == Self.poll)
        #expect(m.handle(Self.pending, now: 1_000) == .wait(untilMillis: 6_000))
        #expect(m.handle(.timeReached, now: 6_000) == Self.poll)
        #expect(m.handle(Self.pending, now: 6_000) == .promptAgain)
        #expect(m.handle(.answered, now: 11_000) == Self.poll)
        // The next poll would be at 16 000, after expiry: stop now.
        guard case .fail(let f) = m.handle(Self.pending, now: 11_000) else { Issue.record("did not stop"); return }
        #expect(f.code == .expired)
        #expect(m.pollCount == 3)
    }

    @Test func expiryCountsFromTheCodeRequest() {
        var m = M(loginDeadline: 1_000_000)
        _ = m.handle(.start, now: 0)
        _ = m.handle(.codeReply(.success(Self.auth(expiresIn: 10))), now: 4_000)
        #expect(m.expiresAt == 10_000)
    }

    @Test func answerAfterExpiryFailsWithoutPolling() {
        var m = Self.presented(expiresIn: 60)
        guard case .fail(let f) = m.handle(.answered, now: 60_000) else { Issue.record("polled after expiry"); return }
        #expect(f.code == .expired)
        #expect(m.pollCount == 0)
    }

    @Test func loginDeadlineBeforeExpiryIsATimeout() {
        var m = Self.presented(expiresIn: 900, deadline: 30_000)
        #expect(m.limit == 30_000)
        guard case .fail(let f) = m.handle(.answered, now: 30_000) else { Issue.record("polled after deadline"); return }
        #expect(f.code == .timedOut)
    }

    @Test func noPromptAgainWhenNoPollCouldFollow() {
        var m = Self.presented(expiresIn: 900, deadline: 11_000)
        _ = m.handle(.answered, now: 1_000)
        _ = m.handle(Self.pending, now: 1_000)
        _ = m.handle(.timeReached, now: 6_000)
        guard case .fail(let f) = m.handle(Self.pending, now: 6_000) else { Issue.record("prompted in vain"); return }
        #expect(f.code == .timedOut)
    }

    @Test func startAfterTheDeadlineTimesOut() {
        var m = M(loginDeadline: 0)
        #expect(m.handle(.start, now: 0) == .fail(FlowFailure(.timedOut)))
    }

    @Test func codeArrivingAfterTheDeadlineTimesOut() {
        var m = M(loginDeadline: 5_000)
        _ = m.handle(.start, now: 0)
        guard case .fail(let f) = m.handle(.codeReply(.success(Self.auth())), now: 5_000) else {
            Issue.record("presented after deadline"); return
        }
        #expect(f.code == .timedOut)
    }

    /// Many runs with pseudo-random replies: every poll is at least the current interval after
    /// the previous reply, strictly before the limit, and only after an answer.
    @Test func spacingAndLimitHoldUnderRandomReplies() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: UInt64) -> UInt64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (seed >> 33) % n
        }
        for _ in 0..<300 {
            let expires = Int(5 + next(120))
            let interval = Int(1 + next(8))
            let deadline = Int64(1_000 + next(200_000))
            var m = M(loginDeadline: deadline)
            var now: Int64 = 0
            var action = m.handle(.start, now: now)
            var lastReply: Int64?
            var intervalAtReply: Int64 = 0
            var answered = false
            var steps = 0
            // `now` is the time the machine returned `action`; the driver acts at once.
            loop: while steps < 1_000 {
                steps += 1
                let event: M.Event
                switch action {
                case .requestCode:
                    now += Int64(next(400))
                    event = .codeReply(.success(Self.auth(interval: interval, expiresIn: expires)))
                case .present, .promptAgain:
                    answered = true
                    now += Int64(next(20_000))
                    event = .answered
                case .wait(let t):
                    // Wakes at, or a little after, the time asked for.
                    now = max(now, t) + Int64(next(50))
                    event = .timeReached
                case .poll:
                    #expect(answered, "polled before the code was shown and answered")
                    #expect(now < m.limit, "poll at or after the limit")
                    if let last = lastReply { #expect(now - last >= intervalAtReply, "poll too soon") }
                    now += Int64(next(300))
                    switch next(10) {
                    case 0: event = Self.error("slow_down")
                    case 1: event = .tokenReply(.rateLimited(retryAfter: Int(next(30))))
                    default: event = Self.pending
                    }
                    lastReply = now
                case .done, .fail:
                    break loop
                }
                action = m.handle(event, now: now)
                intervalAtReply = m.intervalMillis
            }
            #expect(steps < 1_000)
            if case .fail(let f) = action { #expect([.expired, .timedOut, .rateLimited].contains(f.code)) }
        }
    }

    // MARK: every error

    @Test(arguments: [
        ("authorization_declined", [Int](), FlowFailure.Code.declined),
        ("access_denied", [], .declined),
        ("expired_token", [70020], .expired),
        ("bad_verification_code", [], .badVerificationCode),
        ("invalid_client", [7_000_218], .clientSecretRequired),
        ("invalid_client", [700_025], .clientSecretRejected),
        ("invalid_client", [700_016], .clientRejected),
        ("unauthorized_client", [700_016], .clientRejected),
        ("invalid_grant", [50_076], .invalidGrant),
        ("invalid_grant", [53_003], .invalidGrant),
        ("invalid_request", [900_144], .invalidRequest),
        ("invalid_scope", [], .invalidRequest),
        ("temporarily_unavailable", [], .unavailable),
        ("something_new", [], .idpError),
    ])
    func finalErrorsStopWithTheirCode(error: String, codes: [Int], expected: FlowFailure.Code) {
        var m = Self.presented()
        _ = m.handle(.answered, now: 1_000)
        guard case .fail(let f) = m.handle(Self.error(error, codes), now: 1_100) else {
            Issue.record("\(error) did not stop the flow"); return
        }
        #expect(f.code == expected)
        #expect(f.idpError?.codes == codes)
    }

    @Test func errorsWithHTTP200AreErrors() {
        var m = Self.presented()
        _ = m.handle(.answered, now: 1_000)
        let pending200 = IdPAnswer<IDToken>(FlowFixtures.response(200, FlowFixtures.errorJSON("authorization_pending", codes: [70016])), receivedAt: 0)
        #expect(m.handle(.tokenReply(pending200), now: 1_100) == .wait(untilMillis: 6_100))
        _ = m.handle(.timeReached, now: 6_100)
        let expired200 = IdPAnswer<IDToken>(FlowFixtures.response(200, FlowFixtures.errorJSON("expired_token", codes: [70020])), receivedAt: 0)
        guard case .fail(let f) = m.handle(.tokenReply(expired200), now: 6_200) else { Issue.record("kept polling"); return }
        #expect(f.code == .expired)
        #expect(f.httpStatus == 200)
    }

    @Test func serverErrorsTransportErrorsAndGarbageStop() {
        var a = Self.presented()
        _ = a.handle(.answered, now: 1_000)
        #expect(a.handle(.tokenReply(.unavailable(status: 503)), now: 1_100) == .fail(FlowFailure(.unavailable, httpStatus: 503)))

        var b = Self.presented()
        _ = b.handle(.answered, now: 1_000)
        #expect(b.handle(.transportFailed(.timeout), now: 11_000) == .fail(FlowFailure(.unavailable, transportError: .timeout)))

        var c = Self.presented()
        _ = c.handle(.answered, now: 1_000)
        let garbage = IdPAnswer<IDToken>(FlowFixtures.response(200, "<html>proxy</html>"), receivedAt: 0)
        guard case .fail(let f) = c.handle(.tokenReply(garbage), now: 1_100) else { Issue.record("garbage accepted"); return }
        #expect(f.code == .garbage)
    }

    @Test func rateLimitHonoursRetryAfterWithinTheLimit() {
        var m = Self.presented(deadline: 100_000)
        _ = m.handle(.answered, now: 1_000)
        // Retry-After is the least it waits; the jitter adds at most half of it.
        guard case .wait(let at) = m.handle(.tokenReply(.rateLimited(retryAfter: 20)), now: 1_000) else {
            Issue.record("no wait after a 429"); return
        }
        #expect(at >= 21_000 && at <= 31_000)
        #expect(m.handle(.timeReached, now: at - 1) == .wait(untilMillis: at))
        #expect(m.handle(.timeReached, now: at) == Self.poll)
        // Retry-After past the deadline: the IdP is not available to us.
        guard case .fail(let f) = m.handle(.tokenReply(.rateLimited(retryAfter: 3600)), now: at) else {
            Issue.record("waited past the deadline"); return
        }
        #expect(f.code == .rateLimited)
        #expect(f.description.contains("Retry-After 3600 s does not fit"))
    }

    /// A token-endpoint 429 counts like any poll: after the polls one answer allows, the person
    /// is asked again (re-polling every interval until login_timeout would multiply the load on
    /// a throttled IdP by ten).
    @Test func rateLimitedPollsCountAgainstThePollsPerAnswer() {
        var m = Self.presented(deadline: 1_000_000)
        #expect(m.handle(.answered, now: 1_000) == Self.poll)
        guard case .wait(let at) = m.handle(.tokenReply(.rateLimited(retryAfter: nil)), now: 1_000) else {
            Issue.record("no wait after a 429"); return
        }
        #expect(m.handle(.timeReached, now: at) == Self.poll)
        #expect(m.handle(.tokenReply(.rateLimited(retryAfter: nil)), now: at) == .promptAgain)
        #expect(m.pollCount == 2)
        // Enter at once: the next poll still waits for the (longer) backoff after the second 429.
        guard case .wait(let next) = m.handle(.answered, now: at + 100) else { Issue.record("polled at once"); return }
        #expect(next >= at + 10_000 && next <= at + 15_000)
    }

    /// A person who presses Enter once while the IdP throttles for ever: at most the polls of
    /// that answer, not a poll every interval until the deadline.
    @Test func persistentRateLimitWithOneAnswerPollsTwice() {
        var m = Self.presented(deadline: 110_000)
        var now: Int64 = 1_000
        var action = m.handle(.answered, now: now)
        for _ in 0..<100 {
            switch action {
            case .poll: action = m.handle(.tokenReply(.rateLimited(retryAfter: nil)), now: now)
            case .wait(let until): now = until; action = m.handle(.timeReached, now: now)
            default: break
            }
            if case .promptAgain = action { break }
            if case .fail = action { break }
        }
        #expect(action == .promptAgain)
        #expect(m.pollCount == 2)
    }

    /// The backoff doubles per 429 in a row (capped), and its jitter comes from the seed: the same
    /// seed gives the same waits, different seeds spread them.
    @Test func backoffIsExponentialAndJitteredFromTheSeed() {
        func waits(seed: UInt64) -> [Int64] {
            var m = M(loginDeadline: 10_000_000, jitterSeed: seed)
            _ = m.handle(.start, now: 0)
            _ = m.handle(.codeReply(.success(Self.auth(interval: 5, expiresIn: 9_000))), now: 0)
            var now: Int64 = 0
            var action = m.handle(.answered, now: now)
            var out: [Int64] = []
            for _ in 0..<40 where out.count < 8 {
                switch action {
                case .poll: action = m.handle(.tokenReply(.rateLimited(retryAfter: nil)), now: now)
                case .wait(let until):
                    out.append(until - now)
                    now = until
                    action = m.handle(.timeReached, now: now)
                case .promptAgain: action = m.handle(.answered, now: now)
                default: return out
                }
            }
            return out
        }
        let a = waits(seed: 1)
        #expect(a == waits(seed: 1))
        #expect(a.count == 8)
        let bases: [Int64] = [5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000, 60_000]
        for (w, base) in zip(a, bases) { #expect(w >= base && w <= base + base / 2, "\(a)") }
        let firsts = Set((1...20).map { waits(seed: UInt64($0)).first ?? 0 })
        #expect(firsts.count > 10, "the jitter does not spread: \(firsts)")
    }

    /// Any other reply resets the exponent.
    @Test func aPendingAnswerResetsTheBackoff() {
        var m = Self.presented(deadline: 1_000_000)
        _ = m.handle(.answered, now: 1_000)
        guard case .wait(let at) = m.handle(.tokenReply(.rateLimited(retryAfter: nil)), now: 1_000) else { return }
        #expect(m.handle(.timeReached, now: at) == Self.poll)
        #expect(m.handle(Self.pending, now: at) == .promptAgain)
        #expect(m.handle(.answered, now: at + 100) == .wait(untilMillis: at + 5_000))
        #expect(m.handle(.timeReached, now: at + 5_000) == Self.poll)
        guard case .wait(let again) = m.handle(.tokenReply(.rateLimited(retryAfter: nil)), now: at + 5_000) else { return }
        #expect(again - (at + 5_000) <= 7_500, "the exponent was not reset")
    }

    /// Entra's user-facing throttle is `invalid_grant` with AADSTS50196: throttling like a 429
    /// (and AADSTS90055), not a Conditional Access refusal.
    @Test func entraThrottlingErrorsAreRateLimited() {
        for (error, code) in [("invalid_grant", 50_196), ("invalid_request", 90_055)] {
            var m = Self.presented()
            _ = m.handle(.answered, now: 1_000)
            guard case .fail(let f) = m.handle(Self.error(error, [code]), now: 1_100) else {
                Issue.record("\(error) \(code) did not end the flow"); continue
            }
            #expect(f.code == .rateLimited, "\(error) \(code)")
        }
        var m = Self.presented()
        _ = m.handle(.answered, now: 1_000)
        #expect(m.handle(Self.error("invalid_grant", [53_003]), now: 1_100)
                == .fail(FlowFailure.from(IdPError(error: "invalid_grant", codes: [53_003], correlationID: "corr"))))
    }

    // MARK: the device code request

    @Test func codeRequestFailures() {
        func first(_ reply: IdPAnswer<DeviceAuthorization>) -> M.Action {
            var m = M(loginDeadline: 100_000)
            _ = m.handle(.start, now: 0)
            return m.handle(.codeReply(reply), now: 10)
        }
        let e200 = IdPAnswer<DeviceAuthorization>(FlowFixtures.response(200, FlowFixtures.errorJSON("invalid_client", codes: [7_000_218])), receivedAt: 0)
        #expect(first(e200) == .fail(FlowFailure(.clientSecretRequired,
                                                   idpError: IdPError(error: "invalid_client", codes: [7_000_218],
                                                                      correlationID: "c0ffee00-1111-2222-3333-444455556666",
                                                                      traceID: "7ace0000-aaaa-bbbb-cccc-ddddeeeeffff",
                                                                      httpStatus: 200),
                                                   httpStatus: 200)))
        #expect(first(.unavailable(status: 502)) == .fail(FlowFailure(.unavailable, httpStatus: 502)))
        #expect(first(.rateLimited(retryAfter: 5)) == .fail(FlowFailure(.rateLimited, httpStatus: 429)))
        if case .fail(let f) = first(.garbage(status: 200, reason: "x")) { #expect(f.code == .garbage) } else { Issue.record("garbage") }

        var m = M(loginDeadline: 100_000)
        _ = m.handle(.start, now: 0)
        #expect(m.handle(.transportFailed(.dns), now: 10) == .fail(FlowFailure(.unavailable, transportError: .dns)))
    }

    // MARK: every (state, event) pair

    enum StateName: String, CaseIterable { case idle, requestingCode, presenting, waitingToPoll, awaitingReply, waitingForPerson, finished }
    enum EventName: String, CaseIterable { case start, codeReply, answered, timeReached, tokenReply, transportFailed }

    /// A machine brought to each state by valid events (times up to 6 000).
    static func machine(in state: StateName) -> M {
        var m = M(loginDeadline: 1_000_000)
        if state == .idle { return m }
        _ = m.handle(.start, now: 0)
        if state == .requestingCode { return m }
        _ = m.handle(.codeReply(.success(auth())), now: 100)
        if state == .presenting { return m }
        _ = m.handle(.answered, now: 1_000)
        if state == .awaitingReply { return m }
        _ = m.handle(pending, now: 1_000)
        if state == .waitingToPoll { return m }
        _ = m.handle(.timeReached, now: 6_000)
        if state == .finished {
            _ = m.handle(.tokenReply(.success(IDToken("t"))), now: 6_000)
            return m
        }
        _ = m.handle(pending, now: 6_000)
        return m
    }

    static func event(_ e: EventName) -> M.Event {
        switch e {
        case .start: return .start
        case .codeReply: return .codeReply(.success(auth()))
        case .answered: return .answered
        case .timeReached: return .timeReached
        case .tokenReply: return pending
        case .transportFailed: return .transportFailed(.timeout)
        }
    }

    enum Expected: Equatable {
        case action(M.Action)
        case outOfOrder(M.OutOfOrder)
    }

    /// What each event does in each state, at t = 7 000. Every pair is listed: the valid ones
    /// with their action, the invalid ones with the name of their failure.
    static let transitions: [StateName: [EventName: Expected]] = [
        .idle: [.start: .action(.requestCode), .codeReply: .outOfOrder(.codeReplyNotAsked),
                .answered: .outOfOrder(.answerWithoutPrompt), .timeReached: .outOfOrder(.timeWithoutWait),
                .tokenReply: .outOfOrder(.tokenReplyNotAsked), .transportFailed: .outOfOrder(.transportFailureNotAsked)],
        .requestingCode: [.start: .outOfOrder(.startedTwice), .codeReply: .action(.present(auth())),
                          .answered: .outOfOrder(.answerWithoutPrompt), .timeReached: .outOfOrder(.timeWithoutWait),
                          .tokenReply: .outOfOrder(.tokenReplyNotAsked),
                          .transportFailed: .action(.fail(FlowFailure(.unavailable, transportError: .timeout)))],
        .presenting: [.start: .outOfOrder(.startedTwice), .codeReply: .outOfOrder(.codeReplyNotAsked),
                      .answered: .action(poll), .timeReached: .outOfOrder(.timeWithoutWait),
                      .tokenReply: .outOfOrder(.tokenReplyNotAsked), .transportFailed: .outOfOrder(.transportFailureNotAsked)],
        .waitingToPoll: [.start: .outOfOrder(.startedTwice), .codeReply: .outOfOrder(.codeReplyNotAsked),
                         .answered: .outOfOrder(.answerWithoutPrompt), .timeReached: .action(poll),
                         .tokenReply: .outOfOrder(.tokenReplyNotAsked), .transportFailed: .outOfOrder(.transportFailureNotAsked)],
        .awaitingReply: [.start: .outOfOrder(.startedTwice), .codeReply: .outOfOrder(.codeReplyNotAsked),
                         .answered: .outOfOrder(.answerWithoutPrompt), .timeReached: .outOfOrder(.timeWithoutWait),
                         .tokenReply: .action(.wait(untilMillis: 12_000)),
                         .transportFailed: .action(.fail(FlowFailure(.unavailable, transportError: .timeout)))],
        .waitingForPerson: [.start: .outOfOrder(.startedTwice), .codeReply: .outOfOrder(.codeReplyNotAsked),
                            .answered: .action(.wait(untilMillis: 11_000)), .timeReached: .outOfOrder(.timeWithoutWait),
                            .tokenReply: .outOfOrder(.tokenReplyNotAsked), .transportFailed: .outOfOrder(.transportFailureNotAsked)],
        .finished: Dictionary(uniqueKeysWithValues: EventName.allCases.map { ($0, Expected.action(.done(idToken: "t"))) }),
    ]

    @Test(arguments: StateName.allCases)
    func everyEventInEveryState(state: StateName) throws {
        let row = try #require(Self.transitions[state])
        #expect(Set(row.keys) == Set(EventName.allCases), "\(state) does not list every event")
        for e in EventName.allCases {
            var m = Self.machine(in: state)
            let action = m.handle(Self.event(e), now: 7_000)
            switch try #require(row[e]) {
            case .action(let expected):
                #expect(action == expected, "\(state) + \(e)")
            case .outOfOrder(let name):
                guard case .fail(let f) = action else { Issue.record("\(state) + \(e) accepted: \(action)"); continue }
                #expect(f.code == .outOfOrder, "\(state) + \(e)")
                #expect(f.detail.hasPrefix(name.rawValue), "\(state) + \(e): \(f.detail)")
                // The detail names the state, never its data (the device code is a bearer secret).
                #expect(!f.detail.contains(FlowFixtures.deviceCode))
                // The flow is over: the failure repeats, nothing is sent.
                #expect(m.handle(.answered, now: 8_000) == action)
                #expect(m.handle(.timeReached, now: 8_000) == action)
            }
        }
    }

    @Test func everyOutOfOrderNameIsReachable() {
        var used = Set<M.OutOfOrder>()
        for row in Self.transitions.values {
            for case .outOfOrder(let name) in row.values { used.insert(name) }
        }
        #expect(used == Set(M.OutOfOrder.allCases))
    }

    /// The device code reaches the token request only through the poll action, and only from
    /// the authorization the machine was given.
    @Test func thePollCarriesTheIssuedDeviceCode() {
        var m = M(loginDeadline: 100_000)
        _ = m.handle(.start, now: 0)
        let other = DeviceAuthorization(userCode: "U", deviceCode: "ANOTHER-CODE", verificationURI: "https://x.test/d")
        _ = m.handle(.codeReply(.success(other)), now: 10)
        #expect(m.handle(.answered, now: 20) == .poll(deviceCode: "ANOTHER-CODE"))
    }

    @Test func eventsOutOfOrderFailClosed() {
        var idle = M(loginDeadline: 100_000)
        if case .fail(let f) = idle.handle(.tokenReply(.success(IDToken("t"))), now: 0) { #expect(f.code == .outOfOrder) } else { Issue.record("accepted") }

        // A token before the code was shown and answered is never accepted.
        var presenting = Self.presented()
        if case .fail(let f) = presenting.handle(.tokenReply(.success(IDToken("t"))), now: 200) { #expect(f.code == .outOfOrder) } else { Issue.record("accepted") }

        var requesting = M(loginDeadline: 100_000)
        _ = requesting.handle(.start, now: 0)
        if case .fail(let f) = requesting.handle(.answered, now: 1) { #expect(f.code == .outOfOrder) } else { Issue.record("accepted") }
    }
}
