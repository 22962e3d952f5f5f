/// What `auth` and `account` do, in order, as plain Swift. pam_sm_authenticate only adapts.
public enum ModuleStage {
    /// Root is never federated, whatever the configuration says (and even without one), so a
    /// broken jcfed.conf can never stand between root and the local password.
    static func isRootName(_ user: String) -> Bool { user == "root" }

    public static func authenticate(args: ModuleArguments, environment env: LoginEnvironment,
                                    pamUser: String?) -> Outcome {
        let subject: LoginSubject
        switch LoginSubject.resolve(args: args, environment: env, pamUser: pamUser) {
        case .failure(let outcome): return outcome
        case .success(let s): subject = s
        }
        guard let prompter = env.prompter else {
            return Outcome(.ignore, reason: "no-conversation",
                           admin: "the service has no conversation function, so no sign-in code can be shown; leaving the decision to the rest of the stack")
        }
        return DeviceLogin(subject: subject, environment: env, prompter: prompter).run()
    }

    public static func account(args: ModuleArguments, environment env: LoginEnvironment,
                               pamUser: String?) -> Outcome {
        let subject: LoginSubject
        switch LoginSubject.resolve(args: args, environment: env, pamUser: pamUser) {
        case .failure(let outcome): return AccountCheck.afterResolveFailure(outcome)
        case .success(let s): subject = s
        }
        return AccountCheck.check(subject: subject, environment: env)
    }
}
