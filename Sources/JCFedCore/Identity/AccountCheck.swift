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
/// | not bound to this device (routing said so)  | PAM_PERM_DENIED  |  (OutcomeReason.atAccountStage)
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
            return .noDirectory(at: directoryPath)
        }
        guard let user = directory.user(named: pamUser) else {
            // Routing ignores such users before this point; kept for callers that skip routing.
            return .notAJumpCloudUser(pamUser)
        }
        if user.isSuspended { return .suspended(user) }
        if !user.isActivated {
            let why = user.state.map { "state \($0)" } ?? "no state, activated false"
            return .notActivated(user, why: why)
        }
        if user.accountLocked { return .locked(user) }
        if let uid = uid, let expected = user.unixUID, Int64(expected) != Int64(uid) {
            return .uidMismatch(user, expected: expected, uid: uid)
        }
        return .accountOK
    }
}
