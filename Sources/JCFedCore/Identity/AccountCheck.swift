/// The `account` stage for a routed user (sshd runs it after public-key logins too): the
/// JumpCloud directory's state of the user decides.
///
/// | directory says                               | result           |
/// |----------------------------------------------|------------------|
/// | suspended, or state SUSPENDED                | PAM_ACCT_EXPIRED |
/// | state other than ACTIVATED (e.g. STAGED)     | PAM_ACCT_EXPIRED |
/// | no state, and activated false                | PAM_ACCT_EXPIRED |
/// | account_locked                               | PAM_PERM_DENIED  |
/// | unix_uid set and not the NSS uid             | PAM_PERM_DENIED  |
/// | not bound to this device (routing said so)  | PAM_PERM_DENIED  |
/// | otherwise                                    | PAM_SUCCESS      |
///
/// `activated` is JumpCloud's password status, not the account state: ACTIVATED with a pending
/// password is normal for a user who signs in only through the IdP, so it decides only for a
/// record without `state` (DirectoryUser.isActivated).
///
/// Without a directory file there is no JumpCloud state to check: the stage succeeds and says
/// so in its log line (the device runs on fallback mapping by the admin's choice). A stale
/// directory was already handled by Routing (warn: checked against the old data; deny: refused).
public enum AccountCheck {
    static func check(subject: LoginSubject, environment: LoginEnvironment) -> Outcome {
        check(pamUser: subject.account.name, directory: subject.directory, directoryPath: subject.config.mapping.directory,
              uid: subject.account.uid)
    }

    /// `uid` is the account's NSS uid: when the JumpCloud record carries `unix_uid`, the two must
    /// agree here too, since a public-key login never reaches the mapping's own uid check.
    public static func check(pamUser: String, directory: Directory?, directoryPath: String,
                             uid: UInt32? = nil) -> Outcome {
        guard let directory = directory else {
            return Outcome(.success, reason: "no-directory",
                           admin: "no JumpCloud directory at \(directoryPath); JumpCloud account state not checked")
        }
        guard let user = directory.user(named: pamUser) else {
            // Routing ignores such users before this point; kept for callers that skip routing.
            return Outcome(.ignore, reason: Routing.notInDirectoryReason,
                           admin: "\(pamUser) is not a user in the JumpCloud directory")
        }
        if user.isSuspended {
            return Outcome(.accountExpired, reason: "suspended",
                           admin: "JumpCloud user \(user.username) (\(user.id)) is suspended",
                           user: "Your JumpCloud account is suspended.")
        }
        if !user.isActivated {
            let why = user.state.map { "state \($0)" } ?? "no state, activated false"
            return Outcome(.accountExpired, reason: "not-activated",
                           admin: "JumpCloud user \(user.username) (\(user.id)) is not activated (\(why))",
                           user: "Your JumpCloud account is not activated.")
        }
        if user.accountLocked {
            return Outcome(.permissionDenied, reason: "locked",
                           admin: "JumpCloud user \(user.username) (\(user.id)) is locked",
                           user: "Your JumpCloud account is locked.")
        }
        if let uid = uid, let expected = user.unixUID, Int64(expected) != Int64(uid) {
            return Outcome(.permissionDenied, reason: "uid-mismatch",
                           admin: "JumpCloud user \(SafeText.value(user.username)) (\(SafeText.value(user.id))) has unix_uid \(expected), but the local account has uid \(uid)",
                           user: "Your JumpCloud account is not allowed on this device.")
        }
        return Outcome(.success, reason: "ok")
    }

    /// The account stage's answer when LoginSubject.resolve already ended the stage. A JumpCloud
    /// user who is not bound to this device is not federated at `auth` (PAM_IGNORE, so no code is
    /// shown) but is refused at `account` (PAM_PERM_DENIED), as JumpCloud refuses unbound users:
    /// this also covers public-key logins, which skip `auth`.
    public static func afterResolveFailure(_ outcome: Outcome) -> Outcome {
        guard outcome.kind == .ignore, outcome.reason == Routing.notBoundReason else { return outcome }
        return Outcome(.permissionDenied, reason: Routing.notBoundReason, admin: outcome.adminDetail,
                       user: "Your JumpCloud account is not allowed on this device.")
    }
}
