/// Routing policy: only users in `routing.groups` are federated.
/// STUB: completed by the identity work.
public enum Routing {
    /// nil when the subject is routed to federation; otherwise the PAM_IGNORE outcome.
    static func decide(subject: LoginSubject, users: UserDatabase) -> Outcome? {
        if subject.config.routing.groups.isEmpty { return nil }
        let local = Set(users.groupNames(of: subject.account))
        if subject.config.routing.groups.contains(where: { local.contains($0) }) { return nil }
        return Outcome(.ignore, reason: "not-routed", admin: "user is not in a routed group; not federated")
    }
}
