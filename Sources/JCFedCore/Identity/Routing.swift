/// Who is federated, decided from the PAM user before any network request (a user who is not
/// federated gets PAM_IGNORE from `auth` and `account`, and the rest of the stack decides):
///
/// 1. `routing.groups`: when not empty, the user must be in one of them, by JumpCloud user group
///    (the directory's `jcfed_groups` of the user whose `username` is the account name) or by
///    local group (getgrouplist). Names compare exactly. Empty: every user passes.
/// 2. With a directory, the account must be a JumpCloud user in it: nobody else can map.
/// 3. With a binding list (System Context sync), that JumpCloud user must be bound to this device,
///    as in JumpCloud's own access model. No list: the check is off.
/// 4. A stale directory (older than mapping.directory_max_age) is logged (`stale_directory =
///    warn`) or refuses routed users with PAM_AUTHINFO_UNAVAIL (`deny`): the account state and
///    bindings it holds can no longer be vouched for.
public enum Routing {
    /// nil when the subject is routed to federation; otherwise the outcome to end the stage with
    /// (PAM_IGNORE, or PAM_AUTHINFO_UNAVAIL for a stale directory under `deny`).
    static func decide(subject: LoginSubject, users: UserDatabase, log: LogSink? = nil) -> Outcome? {
        decide(pamUser: subject.pamUser, account: subject.account, config: subject.config,
               directory: subject.directory, users: users, log: log)
    }

    /// `pamUser` is the name as typed; every lookup and log line uses the canonical account name
    /// NSS returned (`account.name`), so with NSS that ignores case `ALICE` is decided as `alice`.
    public static func decide(pamUser: String, account: LocalAccount, config: JCFedConfig, directory: Directory?,
                              users: UserDatabase, log: LogSink? = nil) -> Outcome? {
        let name = account.name
        let jumpCloudUser = directory?.user(named: name)
        let groups = config.routing.groups
        if !groups.isEmpty {
            // A few names: a linear search, no Set to build (and no hashing to set up in a fresh
            // process). The directory's groups are already in memory; NSS group enumeration only
            // if needed.
            let routed = (jumpCloudUser?.groups.contains(where: groups.contains) ?? false)
                || users.groupNames(of: account).contains(where: groups.contains)
            if !routed {
                return .notRouted(name, groups: groups)
            }
        }
        guard let directory = directory else { return nil }
        guard let user = jumpCloudUser else {
            return .notInDirectory(name)
        }
        if let bound = directory.boundUserIDs, !bound.contains(user.id) {
            return .notBound(name, jumpCloudID: user.id)
        }
        if directory.isStale {
            let age = "the JumpCloud directory is \(directory.ageSeconds / 3600) hours old (directory_max_age \(config.mapping.directoryMaxAge / 3600) hours)"
            switch config.mapping.staleDirectory {
            case .deny:
                return .staleDirectory(age)
            case .warn:
                log?.log(.warning, age + "; using it anyway (stale_directory = warn); run jcfed directory sync")
            }
        }
        return nil
    }
}
