/// Turns a verified identity into exactly one local account name, in this order (first match
/// wins, ambiguity is an error). Only trusted claims (ClaimTrust) take part, and when
/// `mapping.allowed_domains` is not empty only those that are addresses in one of its domains,
/// on every path below (it narrows, it never trusts).
///
/// 1. With a directory: each trusted claim (mapping.claims order, see ClaimTrust) is compared
///    with the JumpCloud users' `email` (IdentifierKey rules). One match: its `username` is the
///    account. Two or more users with that email: refused, never a guess. No match for any claim:
///    refused (the fallback is only for devices without a directory).
/// 2. Without a directory, `mapping.fallback`:
///    `localpart`: `alice@contoso.com` -> `alice`; `full`: the whole claim, lower-cased, is the account name;
///    `none`: nothing maps.
///
/// Claim values and names in the log lines are cut and cleaned one by one (SafeText.value).
///
/// `resolve` then requires the result to be the PAM user, to exist in NSS with a uid at or above
/// `min_uid`, and never root; with a directory, NSS's name of the account must be the JumpCloud
/// username byte for byte and its uid the record's `unix_uid` when it has one. `authorize` adds
/// identity pinning.
public enum IdentityMapper {
    public struct Rejection: Error, Equatable, Sendable, CustomStringConvertible {
        /// Why, from the catalogue ("ambiguous", "pin-mismatch", ...): authError unless the
        /// refusal is not about the person (a broken pin store is a serviceError).
        public var reason: OutcomeReason
        /// One sentence for syslog (no token content beyond names and object ids).
        public var detail: String
        public var kind: Outcome.Kind { reason.kind }

        public init(_ reason: OutcomeReason, _ detail: String) {
            self.reason = reason
            self.detail = detail
        }

        public var description: String { "\(reason.word): \(detail)" }
    }

    /// The local account name the identity maps to (not yet compared with the PAM user).
    public static func map(_ identity: VerifiedIdentity, config: JCFedConfig,
                           directory: Directory?) -> Result<String, Rejection> {
        let evaluation: ClaimTrust.Evaluation
        switch ClaimTrust.evaluate(identity, config: config) {
        case .failure(let r): return .failure(r)
        case .success(let e): evaluation = e
        }
        let (claims, outside) = restrictDomains(evaluation.trusted, to: config.mapping.allowedDomains)
        let skipped = evaluation.skipped + outside
        let skippedNote = skipped.isEmpty ? "" : " (skipped: " + skipped.joined(separator: "; ") + ")"
        if claims.isEmpty && !evaluation.trusted.isEmpty {
            return .failure(Rejection(.domainNotAllowed, "no trusted claim is an address in mapping.allowed_domains (\(config.mapping.allowedDomains.joined(separator: " ")))" + skippedNote))
        }
        if claims.isEmpty {
            return .failure(Rejection(.noClaim, "the token carries none of the configured, trusted claims (\(config.mapping.claims.joined(separator: " ")))" + skippedNote))
        }
        if let directory = directory {
            return mapThroughDirectory(claims, directory: directory, note: skippedNote)
        }
        return mapByFallback(claims, settings: config.mapping, note: skippedNote)
    }

    /// `mapping.allowed_domains`, when not empty: only addresses in one of those domains may map
    /// (through the directory and by fallback); a bare name has no domain and may not. Returns
    /// the claims kept and why the others were left out.
    static func restrictDomains(_ claims: [ClaimTrust.TrustedClaim],
                                to allowed: [String]) -> ([ClaimTrust.TrustedClaim], [String]) {
        guard !allowed.isEmpty else { return (claims, []) }
        var kept: [ClaimTrust.TrustedClaim] = []
        var outside: [String] = []
        for claim in claims {
            if let key = IdentifierKey.address(claim.value), let domain = IdentifierKey.domain(ofKey: key),
               allowed.contains(domain) {
                kept.append(claim)
            } else {
                outside.append("\(claim.name): not an address in allowed_domains")
            }
        }
        return (kept, outside)
    }

    static func mapThroughDirectory(_ claims: [ClaimTrust.TrustedClaim], directory: Directory,
                                    note: String) -> Result<String, Rejection> {
        for claim in claims {
            guard let key = IdentifierKey.address(claim.value) else { continue }
            let matches = directory.users.filter { IdentifierKey.email($0.email, matchesKey: key) }
            if matches.count > 1 {
                let ids = matches.prefix(8).map { SafeText.field($0.id) }.joined(separator: ", ")
                return .failure(Rejection(.ambiguous,
                                          "\(claim.name) \(SafeText.value(claim.value)) matches \(matches.count) JumpCloud users (\(ids)); refusing to guess"))
            }
            if let user = matches.first { return .success(user.username) }
        }
        let tried = claims.map { "\($0.name) \(SafeText.value($0.value))" }.joined(separator: ", ")
        return .failure(Rejection(.noDirectoryMatch, "no JumpCloud user has the email of \(tried)" + note))
    }

    static func mapByFallback(_ claims: [ClaimTrust.TrustedClaim], settings: MappingSettings,
                              note: String) -> Result<String, Rejection> {
        switch settings.fallback {
        case .none:
            return .failure(Rejection(.noMapping, "there is no directory and mapping.fallback = none"))
        case .localpart:
            for claim in claims {
                guard let key = IdentifierKey.address(claim.value),
                      let domain = IdentifierKey.domain(ofKey: key),
                      let local = IdentifierKey.localPart(ofKey: key) else { continue }
                // restrictDomains already left out other domains; checked again where it matters.
                if !settings.allowedDomains.isEmpty && !settings.allowedDomains.contains(domain) { continue }
                if IdentifierKey.isAccountName(local) { return .success(local) }
            }
            let domains = settings.allowedDomains.isEmpty ? "" : " in \(settings.allowedDomains.joined(separator: " "))"
            return .failure(Rejection(.noMapping,
                                      "no trusted claim is a user@domain address\(domains) with a usable account name" + note))
        case .full:
            for claim in claims {
                // An address is compared in its key form; a bare name (oidc) as lower-case ASCII.
                let name = IdentifierKey.address(claim.value)
                    ?? String(String.UnicodeScalarView(claim.value.unicodeScalars.map(IdentifierKey.asciiLower)))
                if IdentifierKey.isAccountName(name, allowAt: true) { return .success(name) }
            }
            return .failure(Rejection(.noMapping, "no trusted claim is usable as an account name" + note))
        }
    }

    /// Maps and checks the result against the PAM user and NSS: the account the person may use.
    public static func resolve(_ identity: VerifiedIdentity, config: JCFedConfig, directory: Directory?,
                               pamUser: String, users: UserDatabase) -> Result<LocalAccount, Rejection> {
        let mapped: String
        switch map(identity, config: config, directory: directory) {
        case .failure(let r): return .failure(r)
        case .success(let m): mapped = m
        }
        guard mapped != "root", pamUser != "root" else { return .failure(Rejection(.mappedToRoot, "root is never federated")) }
        // The same account: byte for byte, the way files-based NSS compares names; or differing
        // only in ASCII case when NSS resolves both to the same uid (sssd and other directories
        // that ignore case hand the typed spelling to PAM). Two different local accounts whose
        // names differ in case ("Alice", "alice") have different uids and stay apart.
        let sameName = Array(mapped.utf8) == Array(pamUser.utf8)
        let who = SafeText.value(identity.upn ?? identity.preferredUsername ?? identity.email ?? identity.oid)
        let wrongUser = Rejection(.wrongUser,
                                  "\(who) maps to account '\(SafeText.value(mapped))', not to '\(SafeText.value(pamUser))'")
        guard sameName || asciiCaseInsensitiveEqual(mapped, pamUser) else { return .failure(wrongUser) }
        guard let account = users.account(named: mapped) else {
            return .failure(Rejection(.mappedToNoLocalAccount, "account '\(SafeText.value(mapped))' does not exist (NSS)"))
        }
        if !sameName {
            guard let typed = users.account(named: pamUser), typed.uid == account.uid else { return .failure(wrongUser) }
        }
        guard account.uid != 0 else { return .failure(Rejection(.mappedToRoot, "uid 0 is never federated")) }
        guard account.uid >= config.mapping.minUID else {
            return .failure(Rejection(.mappedToSystemAccount, "account '\(SafeText.value(mapped))' has uid \(account.uid), below min_uid \(config.mapping.minUID)"))
        }
        // The local account must be the one the JumpCloud record describes: the name NSS gives
        // it is the JumpCloud username byte for byte, and its uid is the record's unix_uid when
        // the record has one. Otherwise an org user whose JumpCloud name happens to match an
        // unmanaged local account (`ubuntu`, `admin`) would be let into it.
        if let directory = directory, let record = directory.user(named: mapped) {
            guard Array(account.name.utf8) == Array(record.username.utf8) else {
                return .failure(Rejection(.nameMismatch,
                                          "NSS names the account '\(account.name)', not the JumpCloud username '\(record.username)' (\(record.id))"))
            }
            if let uid = record.unixUID, uid != Int(account.uid) {
                return .failure(Rejection(.mappedUIDMismatch,
                                          "JumpCloud user \(record.username) (\(record.id)) has unix_uid \(uid) but the local account '\(account.name)' has uid \(account.uid)"))
            }
        }
        return .success(account)
    }

    static func asciiCaseInsensitiveEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).allSatisfy { p in
            p.0 == p.1 || (p.0 | 0x20 == p.1 | 0x20 && (p.0 | 0x20) >= 0x61 && (p.0 | 0x20) <= 0x7a)
        }
    }

    /// Everything the device flow needs after a token validated: mapping, the PAM user and NSS
    /// checks, then identity pinning (mapping.pin_identity). Logs the pin events itself.
    public static func authorize(_ identity: VerifiedIdentity, subject: LoginSubject,
                                 environment env: LoginEnvironment) -> Result<LocalAccount, Rejection> {
        let account: LocalAccount
        switch resolve(identity, config: subject.config, directory: subject.directory,
                       pamUser: subject.account.name, users: env.users) {
        case .failure(let r): return .failure(r)
        case .success(let a): account = a
        }
        guard subject.config.mapping.pinIdentity else { return .success(account) }
        let store = PinStore(stateDir: subject.config.mapping.stateDir, storage: env.storage)
        switch IdentityPinning.enforce(store: store, account: account.name, identity: identity,
                                       now: env.clock.wallSeconds(), log: env.log) {
        case .failure(let r): return .failure(r)
        case .success: return .success(account)
        }
    }
}
