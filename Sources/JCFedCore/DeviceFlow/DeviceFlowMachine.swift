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
public struct DeviceFlowMachine: Sendable {
    public static let slowDownMillis: Int64 = 5_000
    /// The exponential part of the 429 backoff stops growing here (Retry-After may ask for more).
    public static let maxBackoffMillis: Int64 = 60_000
    /// Polls after one press of Enter: one now, one an interval later.
    public static let pollsPerAnswer = 2

    public enum Event: Sendable, Equatable {
        case start
        case codeReply(DeviceCodeReply)
        /// The person answered the prompt (the answer itself is never looked at).
        case answered
        /// The time a `.wait` asked for has come (the driver slept).
        case timeReached
        case tokenReply(TokenReply)
        case transportFailed(TransportError)
    }

    public enum Action: Sendable, Equatable {
        /// POST to the device authorization endpoint.
        case requestCode
        /// Show the code (one info message) and prompt; report `.answered`.
        case present(DeviceAuthorization)
        /// POST to the token endpoint now; report `.tokenReply` or `.transportFailed`.
        case poll
        /// Sleep until the monotonic time, then report `.timeReached` (the machine then checks
        /// the limit again, so a late wake-up can never send a poll after expiry).
        case wait(untilMillis: Int64)
        /// Still pending: prompt "Not signed in yet..." and report `.answered`.
        case promptAgain
        case done(idToken: String)
        case fail(FlowFailure)
    }

    enum Phase: Sendable, Equatable {
        case idle, requestingCode, presenting, waitingToPoll(at: Int64), awaitingReply, waitingForPerson, finished
    }

    /// Monotonic millis at which the whole login must end (login_timeout).
    public let loginDeadline: Int64
    private(set) var phase: Phase = .idle
    /// Current spacing between polls; grows with slow_down.
    public private(set) var intervalMillis: Int64 = Int64(DeviceAuthorization.defaultInterval) * 1000
    /// Monotonic millis at which the device code expires, once known.
    public private(set) var expiresAt: Int64?
    /// Token requests asked for so far.
    public private(set) var pollCount = 0
    private var codeRequestedAt: Int64 = 0
    private var lastReplyAt: Int64?
    private var pollsSinceAnswer = 0
    /// HTTP 429 answers in a row (the backoff exponent), and the earliest next poll after one.
    private var rateLimitedInARow = 0
    private var notBefore: Int64?
    /// State of the jitter generator (SplitMix64): seeded by the caller, so tests are exact.
    private var jitterState: UInt64
    private var final: Action?

    /// `jitterSeed` comes from the login's random source (fixed in tests).
    public init(loginDeadline: Int64, jitterSeed: UInt64 = 0) {
        self.loginDeadline = loginDeadline
        self.jitterState = jitterSeed
    }

    /// The earlier of the code's expiry and the login deadline.
    public var limit: Int64 { min(expiresAt ?? loginDeadline, loginDeadline) }

    public mutating func handle(_ event: Event, now: Int64) -> Action {
        if let done = final { return done }
        switch (phase, event) {
        case (.idle, .start):
            guard now < loginDeadline else { return finish(FlowFailure(.timedOut)) }
            codeRequestedAt = now
            phase = .requestingCode
            return .requestCode
        case (.requestingCode, .codeReply(let reply)):
            return receiveCode(reply, now: now)
        case (.requestingCode, .transportFailed(let e)), (.awaitingReply, .transportFailed(let e)):
            return finish(FlowFailure(.unavailable, transportError: e))
        case (.presenting, .answered), (.waitingForPerson, .answered):
            pollsSinceAnswer = 0
            return schedulePoll(now: now)
        case (.waitingToPoll(let at), .timeReached):
            if now < at { return .wait(untilMillis: at) }
            return pollNow(now: now)
        case (.awaitingReply, .tokenReply(let reply)):
            return receiveToken(reply, now: now)
        default:
            return finish(FlowFailure(.outOfOrder, detail: "unexpected event in phase \(phase)"))
        }
    }

    private mutating func receiveCode(_ reply: DeviceCodeReply, now: Int64) -> Action {
        switch reply {
        case .authorization(let a):
            // The code's lifetime counts from when it was asked for: the earliest it can have started.
            expiresAt = codeRequestedAt + Int64(a.expiresIn) * 1000
            intervalMillis = Int64(a.interval) * 1000
            if let f = limitFailure(at: now) { return finish(f) }
            phase = .presenting
            return .present(a)
        case .error(let e):
            return finish(FlowFailure.from(e))
        case .rateLimited:
            return finish(FlowFailure(.rateLimited, httpStatus: 429))
        case .unavailable(let status):
            return finish(FlowFailure(.unavailable, httpStatus: status))
        case .garbage(let status, let why):
            return finish(FlowFailure(.garbage, httpStatus: status, detail: why))
        }
    }

    private mutating func receiveToken(_ reply: TokenReply, now: Int64) -> Action {
        lastReplyAt = now
        // Any answer but a 429 ends a run of them: the backoff starts over.
        if case .rateLimited = reply {} else { rateLimitedInARow = 0 }
        switch reply {
        case .idToken(let token):
            return finish(.done(idToken: token))
        case .error(let e):
            switch e.error {
            case "authorization_pending":
                return stillPending(now: now)
            case "slow_down":
                intervalMillis += DeviceFlowMachine.slowDownMillis
                return stillPending(now: now)
            default:
                return finish(FlowFailure.from(e))
            }
        case .rateLimited(let retryAfter):
            rateLimitedInARow += 1
            let at = now + backoffMillis(retryAfter: retryAfter)
            guard limitFailure(at: at) == nil else {
                let why = retryAfter.map { "Retry-After \($0) s" } ?? "the backoff"
                return finish(FlowFailure(.rateLimited, httpStatus: 429,
                                          detail: "\(why) does not fit before the deadline (429 #\(rateLimitedInARow) in a row)"))
            }
            notBefore = at
            // Counted like any other poll: no more polls than the person's answers allow.
            return stillPending(now: now)
        case .unavailable(let status):
            return finish(FlowFailure(.unavailable, httpStatus: status))
        case .garbage(let status, let why):
            return finish(FlowFailure(.garbage, httpStatus: status, detail: why))
        }
    }

    private mutating func stillPending(now: Int64) -> Action {
        if pollsSinceAnswer < DeviceFlowMachine.pollsPerAnswer {
            return schedulePoll(now: now)
        }
        // Ask the person again only when a poll can still follow the answer.
        if let f = limitFailure(at: max(now + intervalMillis, notBefore ?? now)) { return finish(f) }
        phase = .waitingForPerson
        return .promptAgain
    }

    /// The next poll: now, or one interval after the previous reply, whichever is later.
    private mutating func schedulePoll(now: Int64) -> Action {
        var at = now
        if let last = lastReplyAt { at = max(at, last + intervalMillis) }
        if let n = notBefore { at = max(at, n) }
        if let f = limitFailure(at: at) { return finish(f) }
        pollsSinceAnswer += 1
        if at > now {
            phase = .waitingToPoll(at: at)
            return .wait(untilMillis: at)
        }
        return pollNow(now: now)
    }

    private mutating func pollNow(now: Int64) -> Action {
        if let f = limitFailure(at: now) { return finish(f) }
        pollCount += 1
        phase = .awaitingReply
        return .poll
    }

    /// The wait after a 429: max(interval, Retry-After, interval doubled per earlier 429 in a row
    /// up to maxBackoffMillis), plus a random 0-50 % of it, so throttled clients do not come back
    /// in step.
    private mutating func backoffMillis(retryAfter: Int?) -> Int64 {
        let doublings = Int64(min(max(rateLimitedInARow - 1, 0), 16))
        let exponential = min(intervalMillis * (Int64(1) << doublings), DeviceFlowMachine.maxBackoffMillis)
        let base = max(intervalMillis, Int64(retryAfter ?? 0) * 1000, exponential)
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
    private func limitFailure(at t: Int64) -> FlowFailure? {
        if let e = expiresAt, t >= e, e <= loginDeadline {
            return FlowFailure(.expired, detail: "the code's lifetime ran out")
        }
        if t >= loginDeadline {
            return FlowFailure(.timedOut, detail: "login_timeout reached")
        }
        return nil
    }

    private mutating func finish(_ failure: FlowFailure) -> Action {
        finish(.fail(failure))
    }

    private mutating func finish(_ action: Action) -> Action {
        phase = .finished
        final = action
        return action
    }
}
