/// The catalogue of outcomes: every way a PAM stage can end, in this one file. Each reason has
/// its word (the `reason=` of the closing log line, which `jcfed logins` reads back), its kind,
/// the PAM code that kind stands for, and the sentence the person sees; the factories below
/// add the sentence for syslog. Nothing outside this file builds an `Outcome`: mapping, routing,
/// the account stage and the device login pick a reason and hand over the facts.
/// OutcomeCatalogueTests checks every reason against pam_jcfed(8) RETURN VALUES and MESSAGES.

/// The PAM return codes of the module's contract, by the names pam_jcfed(8) gives them; the
/// PAM adapter turns each into libpam's value.
public enum PAMCode: String, Sendable, CaseIterable {
    case success = "PAM_SUCCESS"
    case ignore = "PAM_IGNORE"
    case userUnknown = "PAM_USER_UNKNOWN"
    case serviceError = "PAM_SERVICE_ERR"
    case authInfoUnavailable = "PAM_AUTHINFO_UNAVAIL"
    case authError = "PAM_AUTH_ERR"
    case convError = "PAM_CONV_ERR"
    case bufError = "PAM_BUF_ERR"
    case accountExpired = "PAM_ACCT_EXPIRED"
    case permissionDenied = "PAM_PERM_DENIED"
}

/// What the person is told, if anything: a fixed sentence, or one that names someone
/// (`before` + name + `after`).
public enum PersonSentence: Sendable, Equatable {
    case none
    case fixed(String)
    case naming(before: String, after: String)
}

/// Why a stage ended. Some words appear under two kinds (`root` is PAM_IGNORE before the sign-in
/// and PAM_AUTH_ERR when a signed-in identity maps to root): they are separate reasons.
public enum OutcomeReason: Sendable, CaseIterable, CustomStringConvertible {
    // PAM_SUCCESS
    case signedIn, accountOK, noDirectory
    // PAM_IGNORE: not federated, the rest of the stack decides
    case root, systemAccount, notRouted, notInDirectory, notBound
    // PAM_USER_UNKNOWN
    case noUser, noLocalAccount
    // PAM_SERVICE_ERR: something an administrator has to fix
    case config, directory, unsafeCacheDir, libcryptoMissing, discovery, multiTenantAuthority
    case clientSecretRequired, clientSecretNotAllowed, clientRejected, invalidRequest, pinStore, internalError
    // PAM_AUTHINFO_UNAVAIL
    case idpUnavailable, idpThrottled, idpGarbage, staleDirectory
    // PAM_AUTH_ERR: the sign-in failed
    case declined, expired, timeout, badCode, grantRefused, idpError, badToken
    // PAM_AUTH_ERR: the signed-in identity may not use the account (IdentityMapper, ClaimTrust,
    // IdentityPinning)
    case wrongUser, noTenant, otherTenant, guest, noClaim, domainNotAllowed, ambiguous, noDirectoryMatch
    case noMapping, mappedToRoot, mappedToSystemAccount, mappedToNoLocalAccount, nameMismatch
    case mappedUIDMismatch, pinMismatch
    // PAM_CONV_ERR
    case conversation, noConversation
    // PAM_BUF_ERR
    case outOfMemory
    // PAM_ACCT_EXPIRED (account stage)
    case suspended, notActivated
    // PAM_PERM_DENIED (account stage)
    case locked, uidMismatch, notBoundHere

    public struct Entry: Sendable {
        public let word: String
        public let kind: Outcome.Kind
        public let person: PersonSentence
        init(_ word: String, _ kind: Outcome.Kind, _ person: PersonSentence = .none) {
            self.word = word
            self.kind = kind
            self.person = person
        }
    }

    /// The catalogue.
    public var entry: Entry {
        let misconfigured = PersonSentence.fixed(Outcome.misconfiguredMessage)
        let unavailable = PersonSentence.fixed(Outcome.unavailableMessage)
        let notAllowed = PersonSentence.naming(before: "That account is not allowed to log in as ", after: ".")
        let notOnDevice = PersonSentence.fixed("Your JumpCloud account is not allowed on this device.")
        switch self {
        case .signedIn: return Entry("signed-in", .success, .naming(before: "Signed in as ", after: "."))
        case .accountOK: return Entry("ok", .success)
        case .noDirectory: return Entry("no-directory", .success)

        case .root: return Entry("root", .ignore)
        case .systemAccount: return Entry("system-account", .ignore)
        case .notRouted: return Entry("not-routed", .ignore)
        case .notInDirectory: return Entry("not-in-directory", .ignore)
        case .notBound: return Entry("not-bound", .ignore)

        case .noUser: return Entry("no-user", .userUnknown)
        case .noLocalAccount: return Entry("no-local-account", .userUnknown)

        case .config: return Entry("config", .serviceError, misconfigured)
        case .directory: return Entry("directory", .serviceError, misconfigured)
        case .unsafeCacheDir: return Entry("unsafe-cache-dir", .serviceError, misconfigured)
        case .libcryptoMissing: return Entry("libcrypto-missing", .serviceError, misconfigured)
        case .discovery: return Entry("discovery", .serviceError, misconfigured)
        case .multiTenantAuthority: return Entry("multi-tenant-authority", .serviceError, misconfigured)
        case .clientSecretRequired: return Entry("client-secret-required", .serviceError, misconfigured)
        case .clientSecretNotAllowed: return Entry("client-secret-not-allowed", .serviceError, misconfigured)
        case .clientRejected: return Entry("client-rejected", .serviceError, misconfigured)
        case .invalidRequest: return Entry("invalid-request", .serviceError, misconfigured)
        case .pinStore: return Entry("pin-store", .serviceError, misconfigured)
        case .internalError: return Entry("internal", .serviceError, misconfigured)

        case .idpUnavailable: return Entry("idp-unavailable", .unavailable, unavailable)
        case .idpThrottled: return Entry("idp-throttled", .unavailable, unavailable)
        case .idpGarbage: return Entry("idp-garbage", .unavailable, unavailable)
        case .staleDirectory:
            return Entry("stale-directory", .unavailable, .fixed("Federated login is unavailable: the account directory is out of date."))

        case .declined: return Entry("declined", .authError, .fixed("The sign-in was declined."))
        case .expired: return Entry("expired", .authError, .fixed("The code expired."))
        case .timeout: return Entry("timeout", .authError, .fixed("The sign-in took too long."))
        case .badCode: return Entry("bad-code", .authError, .fixed("The sign-in code was not accepted."))
        case .grantRefused: return Entry("grant-refused", .authError, .fixed("Your organization's sign-in policy refused this sign-in."))
        case .idpError: return Entry("idp-error", .authError, .fixed("The identity provider refused the sign-in."))
        case .badToken: return Entry("bad-token", .authError, .fixed("The sign-in could not be verified."))

        case .wrongUser: return Entry("wrong-user", .authError, notAllowed)
        case .noTenant: return Entry("no-tenant", .authError, notAllowed)
        case .otherTenant: return Entry("other-tenant", .authError, notAllowed)
        case .guest: return Entry("guest", .authError, notAllowed)
        case .noClaim: return Entry("no-claim", .authError, notAllowed)
        case .domainNotAllowed: return Entry("domain-not-allowed", .authError, notAllowed)
        case .ambiguous: return Entry("ambiguous", .authError, notAllowed)
        case .noDirectoryMatch: return Entry("no-directory-match", .authError, notAllowed)
        case .noMapping: return Entry("no-mapping", .authError, notAllowed)
        case .mappedToRoot: return Entry("root", .authError, notAllowed)
        case .mappedToSystemAccount: return Entry("system-account", .authError, notAllowed)
        case .mappedToNoLocalAccount: return Entry("no-local-account", .authError, notAllowed)
        case .nameMismatch: return Entry("name-mismatch", .authError, notAllowed)
        case .mappedUIDMismatch: return Entry("uid-mismatch", .authError, notAllowed)
        case .pinMismatch: return Entry("pin-mismatch", .authError, notAllowed)

        case .conversation: return Entry("conversation", .convError, .fixed("The sign-in was cancelled."))
        case .noConversation: return Entry("no-conversation", .convError)

        case .outOfMemory: return Entry("out-of-memory", .bufError, .fixed("The sign-in could not be completed; try again."))

        case .suspended: return Entry("suspended", .accountExpired, .fixed("Your JumpCloud account is suspended."))
        case .notActivated: return Entry("not-activated", .accountExpired, .fixed("Your JumpCloud account is not activated."))

        case .locked: return Entry("locked", .permissionDenied, .fixed("Your JumpCloud account is locked."))
        case .uidMismatch: return Entry("uid-mismatch", .permissionDenied, notOnDevice)
        case .notBoundHere: return Entry("not-bound", .permissionDenied, notOnDevice)
        }
    }

    /// The stable word of the closing log line ("declined", "not-routed").
    public var word: String { entry.word }
    public var kind: Outcome.Kind { entry.kind }
    public var pamCode: PAMCode { entry.kind.pamCode }
    public var description: String { word }

    /// How the account stage ends when resolving the subject already ended it: a JumpCloud user
    /// who is not bound to this device is not federated at `auth` (PAM_IGNORE, so no code is
    /// shown) but refused at `account` (PAM_PERM_DENIED), as JumpCloud refuses unbound users;
    /// this also covers public-key logins, which skip `auth`. Every other reason stays.
    public var atAccountStage: OutcomeReason {
        self == .notBound ? .notBoundHere : self
    }
}

/// The result of one PAM stage, independent of PAM: the adapter returns `reason.pamCode`, logs
/// `adminDetail` and the reason's word, and shows `userMessage` (one sentence) through the
/// conversation when there is one.
public struct Outcome: Error, Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case success
        case ignore            // not federated: the rest of the stack decides
        case userUnknown
        case serviceError      // configuration missing, unreadable, unsafe or invalid
        case unavailable       // IdP unreachable: DNS, connect, TLS, timeout, HTTP 5xx
        case authError         // token invalid, wrong user, declined, expired code
        case convError         // conversation failed or user cancelled
        case bufError          // out of memory
        case accountExpired    // account stage: directory says suspended / deactivated
        case permissionDenied  // account stage: locked, not allowed

        public var pamCode: PAMCode {
            switch self {
            case .success: return .success
            case .ignore: return .ignore
            case .userUnknown: return .userUnknown
            case .serviceError: return .serviceError
            case .unavailable: return .authInfoUnavailable
            case .authError: return .authError
            case .convError: return .convError
            case .bufError: return .bufError
            case .accountExpired: return .accountExpired
            case .permissionDenied: return .permissionDenied
            }
        }
    }

    public private(set) var reason: OutcomeReason
    public var kind: Kind { reason.kind }
    /// One sentence for syslog. Never a token, code, secret or user input.
    public var adminDetail: String
    /// One sentence for the person, or nil when nothing should be shown.
    public var userMessage: String?

    /// `naming` fills a sentence that names someone (PersonSentence.naming).
    fileprivate init(_ reason: OutcomeReason, admin: String = "", naming: String? = nil) {
        self.reason = reason
        self.adminDetail = admin
        switch reason.entry.person {
        case .none: userMessage = nil
        case .fixed(let s): userMessage = s
        case .naming(let before, let after): userMessage = before + (naming ?? "") + after
        }
    }

    public static let misconfiguredMessage = "Federated login is misconfigured; contact your administrator."
    public static let unavailableMessage = "The sign-in service cannot be reached; try again later."
    /// The same, when the stack lets the local password decide next (pam.offline = local-password,
    /// written by `jcfed enable`): the person is about to see "Password:", and should know why.
    public static let unavailableLocalPasswordMessage =
        "The sign-in service cannot be reached; log in with your local password instead."
}

// MARK: - Who is never federated, and routing (both stages)

extension Outcome {
    static let noUser = Outcome(.noUser, admin: "no user name was given")
    static let rootName = Outcome(.root, admin: "root is never federated")
    static let rootUID = Outcome(.root, admin: "uid 0 is never federated")
    static let noLocalAccount = Outcome(.noLocalAccount, admin: "user has no local account (NSS lookup failed)")

    static func nobody(uid: UInt32) -> Outcome {
        Outcome(.systemAccount, admin: "uid \(uid) (nobody) is never federated")
    }

    static func systemUID(_ uid: UInt32, limit: UInt32) -> Outcome {
        Outcome(.systemAccount, admin: "uid \(uid) is below \(limit), a system account; never federated")
    }

    /// `despiteErrors`: the configuration has errors, which do not change this.
    static func belowMinUID(_ uid: UInt32, minUID: UInt32, despiteErrors: Bool = false) -> Outcome {
        Outcome(.systemAccount, admin: "uid \(uid) is below min_uid \(minUID); not federated"
                    + (despiteErrors ? " (the configuration errors above do not change that)" : ""))
    }

    /// `count` is "an error" or "N errors"; `why` ends the sentence about the account.
    static func configRefused(errors count: String, account name: String, _ why: String) -> Outcome {
        Outcome(.config, admin: "the configuration has \(count) (logged above) and \(name) \(why); refused")
    }

    static func directoryUnusable(_ problem: String) -> Outcome {
        Outcome(.directory, admin: problem)
    }

    static func notRouted(_ name: String, groups: [String]) -> Outcome {
        // Joined by hand: the generic joined(separator:) costs a fresh process ~0.05 M
        // instructions of metadata lookups, and this line is logged for every user not federated.
        var list = ""
        for group in groups {
            if !list.isEmpty { list += " " }
            list += group
        }
        return Outcome(.notRouted, admin: "\(SafeText.value(name)) is in none of the routed groups (\(list)); not federated")
    }

    static func notInDirectory(_ name: String) -> Outcome {
        Outcome(.notInDirectory, admin: "\(SafeText.value(name)) is not a user in the JumpCloud directory; not federated")
    }

    static func notBound(_ name: String, jumpCloudID: String) -> Outcome {
        Outcome(.notBound, admin: "\(SafeText.value(name)) (JumpCloud \(SafeText.value(jumpCloudID))) is not bound to this device; not federated")
    }

    /// `age` says how old the directory is against directory_max_age.
    static func staleDirectory(_ age: String) -> Outcome {
        Outcome(.staleDirectory, admin: age + " and stale_directory = deny; run jcfed directory sync")
    }

    static func noConversation(_ name: String) -> Outcome {
        Outcome(.noConversation,
                admin: "\(SafeText.value(name)) is federated, but the service has no conversation function, so no sign-in code can be shown; refused")
    }
}

// MARK: - The account stage (AccountCheck)

extension Outcome {
    static func noDirectory(at path: String) -> Outcome {
        Outcome(.noDirectory, admin: "no JumpCloud directory at \(path); JumpCloud account state not checked")
    }

    static let accountOK = Outcome(.accountOK)

    static func notAJumpCloudUser(_ name: String) -> Outcome {
        Outcome(.notInDirectory, admin: "\(name) is not a user in the JumpCloud directory")
    }

    static func suspended(_ user: DirectoryUser) -> Outcome {
        Outcome(.suspended, admin: "JumpCloud user \(user.username) (\(user.id)) is suspended")
    }

    static func notActivated(_ user: DirectoryUser, why: String) -> Outcome {
        Outcome(.notActivated, admin: "JumpCloud user \(user.username) (\(user.id)) is not activated (\(why))")
    }

    static func locked(_ user: DirectoryUser) -> Outcome {
        Outcome(.locked, admin: "JumpCloud user \(user.username) (\(user.id)) is locked")
    }

    static func uidMismatch(_ user: DirectoryUser, expected: Int, uid: UInt32) -> Outcome {
        Outcome(.uidMismatch,
                admin: "JumpCloud user \(SafeText.value(user.username)) (\(SafeText.value(user.id))) has unix_uid \(expected), but the local account has uid \(uid)")
    }

    /// The same facts seen by the account stage (OutcomeReason.atAccountStage).
    var atAccountStage: Outcome {
        let reason = self.reason.atAccountStage
        guard reason != self.reason else { return self }
        return Outcome(reason, admin: adminDetail)
    }
}

// MARK: - The device login (auth)

extension Outcome {
    static let verifierMissing = Outcome(
        .libcryptoMissing,
        admin: "libcrypto (OpenSSL 3, Debian package libssl3) cannot be loaded, so no ID token can be verified; install it")

    static func unsafeCacheDir(_ problem: String) -> Outcome {
        Outcome(.unsafeCacheDir,
                admin: "idp.cache_dir refused: \(problem); make it a root-owned directory closed to others (chown root:root, chmod 0700)")
    }

    static let outOfMemory = Outcome(.outOfMemory, admin: "out of memory while talking to the identity provider")

    static let conversationFailed = Outcome(
        .conversation, admin: "the conversation failed or was cancelled while the sign-in code was shown")

    static func discovery(_ e: DiscoveryError) -> Outcome {
        switch e.reason {
        case .outOfMemory: return outOfMemory
        case .idpThrottled: return Outcome(.idpThrottled, admin: "identity provider is throttling: " + e.description)
        case .multiTenantAuthority: return Outcome(.multiTenantAuthority, admin: "idp.url: " + e.description)
        case let reason: return Outcome(reason, admin: e.description)
        }
    }

    static func flow(_ f: FlowFailure, loginTimeout: Int) -> Outcome {
        let reason = f.reason
        if reason == .outOfMemory { return outOfMemory }
        let idp = f.idpError.map { ": " + $0.description } ?? ""
        let admin: String
        switch f.code {
        case .declined: admin = "the sign-in was declined at the identity provider" + idp
        case .expired: admin = "the device code expired before the sign-in was completed" + idp
        case .timedOut: admin = "login_timeout (\(loginTimeout) s) passed before the sign-in was completed"
        case .badVerificationCode: admin = "the identity provider did not accept the device code" + idp
        case .clientSecretRequired:
            admin = "the identity provider refused the client" + idp
                + ": the app registration is confidential and needs a client secret; set idp.client_secret_file, or set 'Allow public client flows' to Yes in the app registration"
        case .clientSecretRejected:
            admin = "the identity provider refused the client" + idp
                + ": the app registration is a public client and must not be sent a secret; remove idp.client_secret / idp.client_secret_file"
        case .clientRejected:
            admin = "the identity provider refused the client" + idp + "; check idp.client_id and the app registration"
        case .invalidRequest:
            admin = "the identity provider rejected the request" + idp + "; check idp.url and idp.scopes"
        case .invalidGrant:
            admin = "the identity provider refused the grant" + idp
                + " (a Conditional Access or MFA policy; look the correlation id up in the sign-in logs)"
        case .idpError: admin = "the identity provider refused the sign-in" + idp
        case .rateLimited: admin = "identity provider is throttling the device flow: " + f.description
        case .unavailable, .garbage: admin = "identity provider unavailable during the device flow: " + f.description
        case .outOfOrder: admin = "device flow internal error: " + f.description
        }
        return Outcome(reason, admin: admin)
    }

    static func tokenRejected(_ r: TokenRejection) -> Outcome {
        Outcome(.badToken, admin: "ID token rejected: " + r.description)
    }

    /// A signed-in identity that may not use the account: the person is told the account by the
    /// name they typed; a broken pin store is the administrator's problem.
    static func refused(_ rejection: IdentityMapper.Rejection, pamUser: String, identity who: String) -> Outcome {
        if rejection.kind == .serviceError { return Outcome(rejection.reason, admin: rejection.detail) }
        return Outcome(rejection.reason, admin: "identity \(who) is refused for this account: \(rejection.description)",
                       naming: SafeText.value(pamUser))
    }

    /// `shown` is the name for the person, already cleaned for a terminal; `who` the tid and oid.
    static func signedIn(as shown: String, identity who: String) -> Outcome {
        Outcome(.signedIn, admin: "signed in as \(SafeText.value(shown)) (\(who))", naming: shown)
    }

    /// The person's sentence for an unavailable IdP, matched to what the stack does next.
    static func forOfflinePolicy(_ outcome: Outcome, _ policy: OfflinePolicy) -> Outcome {
        guard policy == .localPassword, outcome.kind == .unavailable,
              outcome.userMessage == unavailableMessage else { return outcome }
        var o = outcome
        o.userMessage = unavailableLocalPasswordMessage
        return o
    }
}
