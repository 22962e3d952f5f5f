/// What `auth` and `account` do, in order, as plain Swift. pam_sm_authenticate only adapts.
public enum ModuleStage {
    /// Root is never federated, whatever the configuration says (and even without one), so a
    /// broken jcfed.conf can never stand between root and the local password.
    static func isRootName(_ user: String) -> Bool { user == "root" }

    /// Accounts below this uid are system accounts: never federated, whatever min_uid says,
    /// decided before the configuration is read (the default min_uid; a higher min_uid applies
    /// after).
    public static let systemUIDLimit: UInt32 = 1000
    /// `nobody` (the kernel's overflow uid): never federated.
    public static let nobodyUID: UInt32 = 65534

    /// The outcome for an account that is never federated, by uid alone: uid 0 by any name
    /// (`toor`), uid 65534 and (uid_t)-1, and uids below 1000. nil for everyone else.
    static func neverFederated(_ account: LocalAccount) -> Outcome? {
        if account.uid == 0 { return .rootUID }
        if account.uid == nobodyUID || account.uid == UInt32.max { return .nobody(uid: account.uid) }
        if account.uid < systemUIDLimit { return .systemUID(account.uid, limit: systemUIDLimit) }
        return nil
    }

    public static func authenticate(args: ModuleArguments, environment env: LoginEnvironment,
                                    pamUser: String?) -> Outcome {
        let subject: LoginSubject
        switch LoginSubject.resolve(args: args, environment: env, pamUser: pamUser) {
        case .failure(let outcome): return outcome
        case .success(let s): subject = s
        }
        guard let prompter = env.prompter else {
            // A federated user cannot sign in here; only users who are not federated get
            // PAM_IGNORE, so the password never decides for a federated account.
            return .noConversation(subject.account.name)
        }
        return DeviceLogin(subject: subject, environment: env, prompter: prompter).run()
    }

    public static func account(args: ModuleArguments, environment env: LoginEnvironment,
                               pamUser: String?) -> Outcome {
        let subject: LoginSubject
        switch LoginSubject.resolve(args: args, environment: env, pamUser: pamUser) {
        case .failure(let outcome): return outcome.atAccountStage
        case .success(let s): subject = s
        }
        return AccountCheck.check(subject: subject, environment: env)
    }
}
