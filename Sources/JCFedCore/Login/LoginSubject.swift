/// The PAM user after the checks every stage shares: not root, configuration loaded and safe,
/// a local account with a uid at or above min_uid, and routed to federation.
public struct LoginSubject {
    public var pamUser: String
    public var account: LocalAccount
    public var loaded: LoadedConfig
    public var config: JCFedConfig { loaded.config }
    /// The JumpCloud directory when one is configured and present.
    public var directory: Directory?

    static func resolve(args: ModuleArguments, environment env: LoginEnvironment,
                        pamUser: String?) -> Result<LoginSubject, Outcome> {
        guard let user = pamUser, !user.isEmpty else {
            return .failure(Outcome(.userUnknown, reason: "no-user", admin: "no user name was given"))
        }
        if ModuleStage.isRootName(user) {
            return .failure(Outcome(.ignore, reason: "root", admin: "root is never federated"))
        }
        let loaded: LoadedConfig
        switch ConfigLoader.load(path: args.configPath, owner: env.configOwner) {
        case .failure(let e):
            return .failure(Outcome(.serviceError, reason: "config", admin: e.description, user: Outcome.misconfiguredMessage))
        case .success(let l): loaded = l
        }
        for w in loaded.warnings { env.log.log(.err, w.description) }

        guard let account = env.users.account(named: user) else {
            return .failure(Outcome(.userUnknown, reason: "no-local-account",
                                    admin: "user has no local account (NSS lookup failed)"))
        }
        if account.uid == 0 {
            return .failure(Outcome(.ignore, reason: "root", admin: "uid 0 is never federated"))
        }
        if account.uid < loaded.config.mapping.minUID {
            return .failure(Outcome(.ignore, reason: "system-account",
                                    admin: "uid \(account.uid) is below min_uid \(loaded.config.mapping.minUID); not federated"))
        }
        var subject = LoginSubject(pamUser: user, account: account, loaded: loaded, directory: nil)
        switch DirectoryLoader.load(settings: loaded.config.mapping, now: env.clock.wallSeconds(), owner: env.configOwner) {
        case .failure(let e):
            return .failure(Outcome(.serviceError, reason: "directory", admin: e.description, user: Outcome.misconfiguredMessage))
        case .success(let d): subject.directory = d
        }
        if let notRouted = Routing.decide(subject: subject, users: env.users, log: env.log) {
            return .failure(notRouted)
        }
        return .success(subject)
    }
}
