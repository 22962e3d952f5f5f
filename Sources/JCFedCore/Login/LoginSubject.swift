/// The PAM user after the checks every stage shares: a local account that is not one of those
/// never federated (uid 0, uid 65534, a uid below 1000; decided before the configuration is
/// read), a configuration loaded without errors, a uid at or above min_uid, and routed to
/// federation.
///
/// Every decision uses the canonical account name NSS returns (`account.name`), not the typed
/// PAM user name: with NSS that ignores case (sssd, winbind) `ALICE` is the account `alice`, and
/// routing, the directory record and the account checks are alice's.
public struct LoginSubject {
    /// The name as typed (PAM_USER): shown to the person, never used for a lookup.
    public var pamUser: String
    /// The local account NSS resolved pamUser to; `account.name` is the name every lookup uses.
    public var account: LocalAccount
    public var loaded: LoadedConfig
    public var config: JCFedConfig { loaded.config }
    /// The JumpCloud directory when one is configured and present.
    public var directory: Directory?

    static func resolve(args: ModuleArguments, environment env: LoginEnvironment,
                        pamUser: String?) -> Result<LoginSubject, Outcome> {
        guard let user = pamUser, !user.isEmpty else {
            return .failure(.noUser)
        }
        if ModuleStage.isRootName(user) {
            return .failure(.rootName)
        }
        // NSS first: who is never federated is decided before the configuration is read, so a
        // missing or broken jcfed.conf never stands between them and the rest of the stack.
        guard let account = env.users.account(named: user) else {
            return .failure(.noLocalAccount)
        }
        if let never = ModuleStage.neverFederated(account) { return .failure(never) }
        if Array(account.name.utf8) != Array(user.utf8) {
            env.log.log(.notice, "PAM user name '\(SafeText.field(user))' is the local account '\(SafeText.field(account.name))' (uid \(account.uid)) in NSS; deciding for '\(SafeText.field(account.name))'")
        }

        let (loaded, problems) = ConfigLoader.loadForLogin(path: args.configPath, storage: env.storage,
                                                           memory: env.configMemory)
        for w in loaded.warnings { env.log.log(.err, w.description) }
        if !problems.isEmpty {
            return .failure(decideDespite(problems, loaded: loaded, pamUser: user, account: account, environment: env))
        }

        if account.uid < loaded.config.mapping.minUID {
            return .failure(.belowMinUID(account.uid, minUID: loaded.config.mapping.minUID))
        }
        var subject = LoginSubject(pamUser: user, account: account, loaded: loaded, directory: nil)
        switch DirectoryLoader.load(settings: loaded.config.mapping, now: env.clock.wallSeconds(), storage: env.storage) {
        case .failure(let e):
            return .failure(.directoryUnusable(e.description))
        case .success(let d): subject.directory = d
        }
        if let notRouted = Routing.decide(subject: subject, users: env.users, log: env.log) {
            if let memo = env.notFederatedMemo,
               let record = NotFederatedRecord.of(notRouted, subject: subject, args: args, users: env.users,
                                                  now: env.clock.wallSeconds()) {
                memo.remember(record)
            }
            return .failure(notRouted)
        }
        return .success(subject)
    }

    /// At most this many configuration errors are logged per stage (each is one LOG_ERR line).
    static let maxLoggedErrors = 5

    /// A configuration with errors: every error is logged at LOG_ERR, and the user is not
    /// federated (PAM_IGNORE, or PAM_PERM_DENIED at account for not-bound) only when the settings
    /// routing needs prove it; anyone routing could route is refused with PAM_SERVICE_ERR.
    /// Unknown settings are replaced by what routes the most users: min_uid by 1000, an unknown
    /// directory by "no directory" and then routing.groups by "every user" (JumpCloud groups
    /// could route anyone), unknown routing.groups by "every user".
    static func decideDespite(_ problems: ConfigProblems, loaded: LoadedConfig, pamUser: String,
                              account: LocalAccount, environment env: LoginEnvironment) -> Outcome {
        for e in problems.errors.prefix(maxLoggedErrors) { env.log.log(.err, e.description) }
        if problems.errors.count > maxLoggedErrors {
            env.log.log(.err, "\(problems.errors.count - maxLoggedErrors) more configuration errors not shown; run jcfed check-config")
        }
        let name = SafeText.field(account.name)
        let count = problems.errors.count == 1 ? "an error" : "\(problems.errors.count) errors"
        func refused(_ why: String) -> Outcome { .configRefused(errors: count, account: name, why) }
        var config = loaded.config
        if !problems.isKnown("mapping.min_uid") { config.mapping.minUID = JCFedConfig().mapping.minUID }
        if account.uid < config.mapping.minUID {
            return .belowMinUID(account.uid, minUID: config.mapping.minUID, despiteErrors: true)
        }
        // Staleness (directory_max_age) only ever refuses routed users, who are refused here anyway.
        let directoryKnown = problems.isKnown("mapping.directory")
        var directory: Directory?
        if directoryKnown {
            switch DirectoryLoader.load(settings: config.mapping, now: env.clock.wallSeconds(), storage: env.storage) {
            case .failure(let e):
                env.log.log(.err, e.description)
                return refused("cannot be ruled out with a broken directory")
            case .success(let d): directory = d
            }
        }
        if !directoryKnown || !problems.isKnown("routing.groups") { config.routing.groups = [] }
        let subject = LoginSubject(pamUser: pamUser, account: account, loaded: LoadedConfig(config: config, warnings: [], clientSecret: nil),
                                   directory: directory)
        if var notFederated = Routing.decide(subject: subject, users: env.users, log: nil), notFederated.kind == .ignore {
            notFederated.adminDetail += " (the configuration errors above do not change that)"
            return notFederated
        }
        var unknown: [String] = []
        if !directoryKnown { unknown.append("mapping.directory") }
        if !problems.isKnown("routing.groups") { unknown.append("routing.groups") }
        if unknown.isEmpty { return refused("is routed to federation") }
        return refused("may be federated (\(unknown.joined(separator: " and ")) cannot be read, so routing cannot rule it out)")
    }
}
