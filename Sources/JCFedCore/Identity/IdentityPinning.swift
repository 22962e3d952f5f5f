/// mapping.pin_identity: the first successful login binds the local account to the token's
/// tenant and object id; a later token for the same account with another object id is refused,
/// even when its UPN or email still matches (a renamed, deleted-and-recreated or recycled Entra
/// account cannot take over the local account). `jcfed pins reset ACCOUNT` re-pins on purpose.
public enum IdentityPinning {
    /// Checks the pin and writes it on first use. Fails closed: a store that cannot be read or
    /// written refuses the login (serviceError), it never skips the check.
    public static func enforce(store: PinStore, account: String, identity: VerifiedIdentity,
                               now: Int64, log: LogSink) -> Result<PinDecision, IdentityMapper.Rejection> {
        let decision: PinDecision
        switch store.check(account: account, tid: identity.tid, oid: identity.oid) {
        case .failure(let f):
            return .failure(.init(.pinStore, "identity pin store: \(f.problem)"))
        case .success(let d): decision = d
        }
        switch decision {
        case .matches:
            return .success(decision)
        case .mismatch(let pin):
            return .failure(mismatch(account: account, pin: pin, identity: identity, log: log))
        case .unpinned:
            let pin = Pin(account: account, tid: identity.tid, oid: identity.oid, issuer: identity.issuer, pinnedAt: now)
            switch store.record(pin) {
            case .failure(let f):
                return .failure(.init(.pinStore, "identity pin store: \(f.problem)"))
            case .success(.mismatch(let other)):
                // Another login pinned the account a moment ago, to someone else.
                return .failure(mismatch(account: account, pin: other, identity: identity, log: log))
            case .success(let d):
                if d == .unpinned {
                    log.log(.notice, "pinned account \(SafeText.value(account)) to tenant \(SafeText.value(identity.tid)) object id \(SafeText.value(identity.oid))")
                }
                return .success(d)
            }
        }
    }

    static func mismatch(account: String, pin: Pin, identity: VerifiedIdentity, log: LogSink) -> IdentityMapper.Rejection {
        let name = SafeText.value(account)
        let detail = "identity pin mismatch for account \(name): pinned to oid \(SafeText.value(pin.oid)) (tenant \(SafeText.value(pin.tid))), "
            + "token has oid \(SafeText.value(identity.oid)) (tenant \(SafeText.value(identity.tid))); refused. "
            + "If this is the same person with a new Entra account: jcfed pins reset \(name)"
        log.log(.warning, detail)
        return .init(.pinMismatch, detail)
    }
}
