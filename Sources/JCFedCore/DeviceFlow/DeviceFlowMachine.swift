/// The device authorization grant (RFC 8628) as a pure value: events in, one action out.
/// The login performs the actions (HTTP, prompts, sleeping) and feeds back what happened, with
/// the monotonic time in milliseconds. No I/O and no clock here, so every rule is tested on a
/// fixed clock:
/// - nothing is polled before the code has been shown and the person has answered the prompt;
/// - polls are at least `interval` apart (default 5 s), counted from the previous reply;
/// - `slow_down` adds 5 s to the interval for the rest of the flow;
/// - no poll is sent at or after the earlier of the code's expiry and the login deadline;
/// - after each answer to the prompt, at most `pollsPerAnswer` polls, then the person is asked
///   again (OpenSSH shows text only together with a prompt, and a blocked prompt cannot poll);
/// - HTTP 429 on a poll backs off: the next poll waits at least max(interval, Retry-After),
///   doubled for each 429 in a row (capped) plus up to half again of random jitter, and still
///   counts against the polls allowed per answer; when that wait does not fit before the limit,
///   the flow ends as throttled (the IdP is not available to us now).
///
/// Each state carries what the flow knows in it: the device code exists only once the code
/// request was answered, so a poll (`.poll(deviceCode:)`) cannot be asked for before it. Every
/// (state, event) pair is spelled out; a pair that cannot happen in a correct driver ends the
/// flow with a named `OutOfOrder` failure.
public struct DeviceFlowMachine: Sendable {
    public static let slowDownMillis: Int64 = 5_000
    /// The exponential part of the 429 backoff stops growing here (Retry-After may ask for more).
    public static let maxBackoffMillis: Int64 = 60_000
    /// Polls after one press of Enter: one now, one an interval later.
    public static let pollsPerAnswer = 2

    public enum Event: Sendable, Equatable {
        case start
        case codeReply(IdPAnswer<DeviceAuthorization>)
        /// The person answered the prompt (the answer itself is never looked at).
        case answered
        /// The time a `.wait` asked for has come (the driver slept).
        case timeReached
        case tokenReply(IdPAnswer<IDToken>)
        case transportFailed(TransportError)
    }

    public enum Action: Sendable, Equatable {
        /// POST to the device authorization endpoint; report `.codeReply` or `.transportFailed`.
        case requestCode
        /// Show the code (one info message) and prompt; report `.answered`.
        case present(DeviceAuthorization)
        /// POST this device code to the token endpoint now; report `.tokenReply` or `.transportFailed`.
        case poll(deviceCode: String)
        /// Sleep until the monotonic time, then report `.timeReached` (the machine then checks
        /// the limit again, so a late wake-up can never send a poll after expiry).
        case wait(untilMillis: Int64)
        /// Still pending: prompt "Not signed in yet..." and report `.answered`.
        case promptAgain
        case done(idToken: String)
        case fail(FlowFailure)
    }

    /// An event the current state cannot take: a driver bug, never a verdict on the sign-in.
    /// Each ends the flow as `FlowFailure.Code.outOfOrder` with this name in the detail.
    public enum OutOfOrder: String, Sendable, CaseIterable {
        case startedTwice = "start after the flow began"
        case codeReplyNotAsked = "a device code reply with no code request sent"
        case answerWithoutPrompt = "an answer with no prompt shown"
        case timeWithoutWait = "a time reached with no wait asked for"
        case tokenReplyNotAsked = "a token reply with no poll sent"
        case transportFailureNotAsked = "a transport failure with no request sent"
    }

    /// What the flow knows once the device authorization endpoint has issued a code.
    struct Polling: Sendable, Equatable {
        let authorization: DeviceAuthorization
        /// Monotonic millis at which the device code expires.
        let expiresAt: Int64
        /// Current spacing between polls; grows with slow_down.
        var intervalMillis: Int64
        /// Token requests sent so far.
        var pollCount = 0
        var lastReplyAt: Int64?
        var pollsSinceAnswer = 0
        /// HTTP 429 answers in a row (the backoff exponent), and the earliest next poll after one.
        var rateLimitedInARow = 0
        var notBefore: Int64?
    }

    enum State: Sendable, Equatable {
        case idle
        /// The code request went out at `sentAt`.
        case requestingCode(sentAt: Int64)
        /// The code is shown; waiting for the first answer.
        case presenting(Polling)
        case waitingToPoll(Polling, at: Int64)
        case awaitingReply(Polling)
        /// Still pending after the polls one answer allows; waiting for the next answer.
        case waitingForPerson(Polling)
        /// Every later event gets `action` again.
        case finished(Action, Polling?)
    }

    /// Monotonic millis at which the whole login must end (login_timeout).
    public let loginDeadline: Int64
    private(set) var state: State = .idle
    /// State of the jitter generator (SplitMix64): seeded by the caller, so tests are exact.
    private var jitterState: UInt64

    /// `jitterSeed` comes from the login's random source (fixed in tests).
    public init(loginDeadline: Int64, jitterSeed: UInt64 = 0) {
        self.loginDeadline = loginDeadline
        self.jitterState = jitterSeed
    }

    /// The flow's data once a code was issued (kept after the end), else nil.
    var polling: Polling? {
        switch state {
        case .idle, .requestingCode: return nil
        case .presenting(let p), .waitingToPoll(let p, _), .awaitingReply(let p), .waitingForPerson(let p): return p
        case .finished(_, let p): return p
        }
    }

    /// Current spacing between polls (the default until a code sets it).
    public var intervalMillis: Int64 { polling?.intervalMillis ?? Int64(DeviceAuthorization.defaultInterval) * 1000 }
    /// Monotonic millis at which the device code expires, once known.
    public var expiresAt: Int64? { polling?.expiresAt }
    /// Token requests sent so far.
    public var pollCount: Int { polling?.pollCount ?? 0 }
    /// The earlier of the code's expiry and the login deadline.
    public var limit: Int64 { min(expiresAt ?? loginDeadline, loginDeadline) }

    public mutating func handle(_ event: Event, now: Int64) -> Action {
        switch event {
        case .start: return start(now: now)
        case .codeReply(let reply): return codeReceived(reply, now: now)
        case .answered: return answered(now: now)
        case .timeReached: return timeReached(now: now)
        case .tokenReply(let reply): return tokenReceived(reply, now: now)
        case .transportFailed(let e): return transportFailed(e)
        }
    }

    // MARK: one method per event, each switch naming every state

    private mutating func start(now: Int64) -> Action {
        switch state {
        case .idle:
            guard now < loginDeadline else { return finish(FlowFailure(.timedOut), nil) }
            state = .requestingCode(sentAt: now)
            return .requestCode
        case .requestingCode, .presenting, .waitingToPoll, .awaitingReply, .waitingForPerson:
            return outOfOrder(.startedTwice)
        case .finished(let action, _):
            return action
        }
    }

    private mutating func codeReceived(_ reply: IdPAnswer<DeviceAuthorization>, now: Int64) -> Action {
        switch state {
        case .requestingCode(let sentAt):
            return receiveCode(reply, sentAt: sentAt, now: now)
        case .idle, .presenting, .waitingToPoll, .awaitingReply, .waitingForPerson:
            return outOfOrder(.codeReplyNotAsked)
        case .finished(let action, _):
            return action
        }
    }

    private mutating func answered(now: Int64) -> Action {
        switch state {
        case .presenting(var p), .waitingForPerson(var p):
            p.pollsSinceAnswer = 0
            return schedulePoll(p, now: now)
        case .idle, .requestingCode, .waitingToPoll, .awaitingReply:
            return outOfOrder(.answerWithoutPrompt)
        case .finished(let action, _):
            return action
        }
    }

    private mutating func timeReached(now: Int64) -> Action {
        switch state {
        case .waitingToPoll(let p, let at):
            // Woken early (a signal): keep waiting.
            if now < at { return .wait(untilMillis: at) }
            return pollNow(p, now: now)
        case .idle, .requestingCode, .presenting, .awaitingReply, .waitingForPerson:
            return outOfOrder(.timeWithoutWait)
        case .finished(let action, _):
            return action
        }
    }

    private mutating func tokenReceived(_ reply: IdPAnswer<IDToken>, now: Int64) -> Action {
        switch state {
        case .awaitingReply(let p):
            return receiveToken(reply, p, now: now)
        case .idle, .requestingCode, .presenting, .waitingToPoll, .waitingForPerson:
            return outOfOrder(.tokenReplyNotAsked)
        case .finished(let action, _):
            return action
        }
    }

    private mutating func transportFailed(_ e: TransportError) -> Action {
        switch state {
        case .requestingCode:
            return finish(FlowFailure(.unavailable, transportError: e), nil)
        case .awaitingReply(let p):
            return finish(FlowFailure(.unavailable, transportError: e), p)
        case .idle, .presenting, .waitingToPoll, .waitingForPerson:
            return outOfOrder(.transportFailureNotAsked)
        case .finished(let action, _):
            return action
        }
    }

    // MARK: the rules

    private mutating func receiveCode(_ reply: IdPAnswer<DeviceAuthorization>, sentAt: Int64, now: Int64) -> Action {
        switch reply {
        case .success(let a):
            // The code's lifetime counts from when it was asked for: the earliest it can have started.
            let p = Polling(authorization: a, expiresAt: sentAt + Int64(a.expiresIn) * 1000,
                            intervalMillis: Int64(a.interval) * 1000)
            if let f = limitFailure(at: now, expiresAt: p.expiresAt) { return finish(f, p) }
            state = .presenting(p)
            return .present(a)
        case .error(let e):
            return finish(FlowFailure.from(e), nil)
        case .rateLimited:
            return finish(FlowFailure(.rateLimited, httpStatus: 429), nil)
        case .unavailable(let status):
            return finish(FlowFailure(.unavailable, httpStatus: status), nil)
        case .garbage(let status, let why):
            return finish(FlowFailure(.garbage, httpStatus: status, detail: why), nil)
        }
    }

    private mutating func receiveToken(_ reply: IdPAnswer<IDToken>, _ polling: Polling, now: Int64) -> Action {
        var p = polling
        p.lastReplyAt = now
        // Any answer but a 429 ends a run of them: the backoff starts over.
        if case .rateLimited = reply {} else { p.rateLimitedInARow = 0 }
        switch reply {
        case .success(let token):
            return finish(.done(idToken: token.compact), p)
        case .error(let e):
            switch e.error {
            case "authorization_pending":
                return stillPending(p, now: now)
            case "slow_down":
                p.intervalMillis += DeviceFlowMachine.slowDownMillis
                return stillPending(p, now: now)
            default:
                return finish(FlowFailure.from(e), p)
            }
        case .rateLimited(let retryAfter):
            p.rateLimitedInARow += 1
            let at = now + backoffMillis(p, retryAfter: retryAfter)
            guard limitFailure(at: at, expiresAt: p.expiresAt) == nil else {
                let why = retryAfter.map { "Retry-After \($0) s" } ?? "the backoff"
                return finish(FlowFailure(.rateLimited, httpStatus: 429,
                                          detail: "\(why) does not fit before the deadline (429 #\(p.rateLimitedInARow) in a row)"), p)
            }
            p.notBefore = at
            // Counted like any other poll: no more polls than the person's answers allow.
            return stillPending(p, now: now)
        case .unavailable(let status):
            return finish(FlowFailure(.unavailable, httpStatus: status), p)
        case .garbage(let status, let why):
            return finish(FlowFailure(.garbage, httpStatus: status, detail: why), p)
        }
    }

    private mutating func stillPending(_ p: Polling, now: Int64) -> Action {
        if p.pollsSinceAnswer < DeviceFlowMachine.pollsPerAnswer {
            return schedulePoll(p, now: now)
        }
        // Ask the person again only when a poll can still follow the answer.
        if let f = limitFailure(at: max(now + p.intervalMillis, p.notBefore ?? now), expiresAt: p.expiresAt) {
            return finish(f, p)
        }
        state = .waitingForPerson(p)
        return .promptAgain
    }

    /// The next poll: now, or one interval after the previous reply, whichever is later.
    private mutating func schedulePoll(_ polling: Polling, now: Int64) -> Action {
        var p = polling
        var at = now
        if let last = p.lastReplyAt { at = max(at, last + p.intervalMillis) }
        if let n = p.notBefore { at = max(at, n) }
        if let f = limitFailure(at: at, expiresAt: p.expiresAt) { return finish(f, p) }
        p.pollsSinceAnswer += 1
        if at > now {
            state = .waitingToPoll(p, at: at)
            return .wait(untilMillis: at)
        }
        return pollNow(p, now: now)
    }

    private mutating func pollNow(_ polling: Polling, now: Int64) -> Action {
        var p = polling
        if let f = limitFailure(at: now, expiresAt: p.expiresAt) { return finish(f, p) }
        p.pollCount += 1
        state = .awaitingReply(p)
        return .poll(deviceCode: p.authorization.deviceCode)
    }

    /// The wait after a 429: max(interval, Retry-After, interval doubled per earlier 429 in a row
    /// up to maxBackoffMillis), plus a random 0-50 % of it, so throttled clients do not come back
    /// in step.
    private mutating func backoffMillis(_ p: Polling, retryAfter: Int?) -> Int64 {
        let doublings = Int64(min(max(p.rateLimitedInARow - 1, 0), 16))
        let exponential = min(p.intervalMillis * (Int64(1) << doublings), DeviceFlowMachine.maxBackoffMillis)
        let base = max(p.intervalMillis, Int64(retryAfter ?? 0) * 1000, exponential)
        let span = UInt64(max(base / 2, 0)) + 1
        return base + Int64(nextRandom() % span)
    }

    /// SplitMix64: small, fast, and plenty for spreading retries (not for secrets).
    private mutating func nextRandom() -> UInt64 {
        jitterState &+= 0x9E37_79B9_7F4A_7C15
        var z = jitterState
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Why nothing may be sent at time `t`, or nil.
    private func limitFailure(at t: Int64, expiresAt: Int64?) -> FlowFailure? {
        if let e = expiresAt, t >= e, e <= loginDeadline {
            return FlowFailure(.expired, detail: "the code's lifetime ran out")
        }
        if t >= loginDeadline {
            return FlowFailure(.timedOut, detail: "login_timeout reached")
        }
        return nil
    }

    /// The state's name for the admin log (never its data: the device code is a bearer secret).
    var stateName: String {
        switch state {
        case .idle: return "idle"
        case .requestingCode: return "requesting the code"
        case .presenting: return "showing the code"
        case .waitingToPoll: return "waiting to poll"
        case .awaitingReply: return "awaiting a token reply"
        case .waitingForPerson: return "waiting for the person"
        case .finished: return "finished"
        }
    }

    private mutating func outOfOrder(_ why: OutOfOrder) -> Action {
        finish(FlowFailure(.outOfOrder, detail: "\(why.rawValue), while \(stateName)"), polling)
    }

    private mutating func finish(_ failure: FlowFailure, _ p: Polling?) -> Action {
        finish(.fail(failure), p)
    }

    private mutating func finish(_ action: Action, _ p: Polling?) -> Action {
        state = .finished(action, p)
        return action
    }
}
