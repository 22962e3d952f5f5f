/// The `account` stage for a routed user: directory state (suspended, locked, not activated).
/// STUB: completed by the identity work.
public enum AccountCheck {
    static func check(subject: LoginSubject, environment: LoginEnvironment) -> Outcome {
        Outcome(.success, reason: "ok")
    }
}
