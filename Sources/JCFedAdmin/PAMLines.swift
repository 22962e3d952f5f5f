import JCFedCore

/// The lines `jcfed enable` puts into PAM stacks, and why each control value is what it is.
///
/// auth (what pam_jcfed returns -> what the stack does):
///   PAM_SUCCESS           done (per service) / jump past pam_unix to pam_permit (common-auth):
///                         the federated login succeeded, no password is asked.
///   PAM_IGNORE            ignore: not federated (root, uid < min_uid, not routed, no
///                         conversation) -> pam_unix decides. Root always reaches pam_unix.
///   PAM_USER_UNKNOWN      ignore: no local account; pam_unix fails it the same way.
///   PAM_AUTHINFO_UNAVAIL  local-password: ignore (IdP unreachable -> the local password, the
///                         device password JumpCloud keeps in sync); deny: die.
///   PAM_SERVICE_ERR       local-password: ignore (a broken jcfed.conf falls back to the
///                         password, still verified by pam_unix: fail-open to a real check, and
///                         no one is locked out by a typo); deny: die (root is unaffected: the
///                         module returns PAM_IGNORE for root before reading its config).
///   PAM_MODULE_UNKNOWN    ignore: pam_jcfed.so removed or unloadable -> passwords work and
///                         root can still log in. Only root can remove the module.
///   anything else         die: a failed federated login (bad token, wrong user, declined,
///                         expired, conversation cancelled) never falls through to the password.
/// account: success ok; ignore/user_unknown ignore; service_err and module_unknown as in auth;
///   anything else (suspended, locked, not bound) bad. sshd runs account after key logins too.
package enum PAMLines {
    package static let marker = "# jcfed: added by jcfed enable"
    package static let moduleName = "pam_jcfed.so"

    /// Control of the auth line; `success` is "done" in a service file, "end" in the
    /// pam-auth-update profile (pam-auth-update turns it into the jump past its Primary block).
    package static func authControl(_ policy: OfflinePolicy, success: String) -> String {
        var parts = ["success=\(success)"]
        if policy == .localPassword { parts.append("authinfo_unavail=ignore") }
        parts += ["ignore=ignore", "user_unknown=ignore"]
        if policy == .localPassword { parts.append("service_err=ignore") }
        parts += ["module_unknown=ignore", "default=die"]
        return "[" + parts.joined(separator: " ") + "]"
    }

    package static func accountControl(_ policy: OfflinePolicy) -> String {
        var parts = ["success=ok", "ignore=ignore", "user_unknown=ignore"]
        if policy == .localPassword { parts.append("service_err=ignore") }
        parts += ["module_unknown=ignore", "default=bad"]
        return "[" + parts.joined(separator: " ") + "]"
    }

    /// Module arguments: `config=PATH` only when jcfed.conf is not at its default path.
    package static func moduleArguments(configTargetPath: String) -> String {
        configTargetPath == ConfigLoader.defaultPath ? "" : " config=\(configTargetPath)"
    }

    package static func serviceAuthLine(_ policy: OfflinePolicy, arguments: String) -> String {
        "auth\t\(authControl(policy, success: "done"))\t\(moduleName)\(arguments)"
    }

    package static func serviceAccountLine(_ policy: OfflinePolicy, arguments: String) -> String {
        "account\t\(accountControl(policy))\t\(moduleName)\(arguments)"
    }

    /// /usr/share/pam-configs/jcfed. Priority 800 puts the module ahead of pam_unix (256) and
    /// the other password modules (krb5 704, sss 128), so the device login is offered first.
    /// Default: no, so installing the package never turns it on; account checks go in the
    /// Additional block so they never skip pam_unix's account checks.
    package static func profile(_ policy: OfflinePolicy, arguments: String) -> String {
        """
        Name: JumpCloud federated device authentication (pam_jcfed, offline: \(policy.rawValue))
        Default: no
        Priority: 800
        Auth-Type: Primary
        Auth:
        \t\(authControl(policy, success: "end"))\t\(moduleName)\(arguments)
        Account-Type: Additional
        Account:
        \t\(accountControl(policy))\t\(moduleName)\(arguments)

        """
    }
}
