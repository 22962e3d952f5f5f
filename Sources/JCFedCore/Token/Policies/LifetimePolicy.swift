/// `exp` is required and must be later than now minus the skew; `nbf` and `iat`, when present,
/// must not be later than now plus the skew. All are JSON numbers (a string is `badClaim`) in a
/// plausible range (1e300 is `badClaim`).
public struct LifetimePolicy: ClaimPolicy {
    public init() {}

    public func check(_ claims: JWTClaims, key: JWK, context: ValidationContext) -> TokenRejection? {
        let skew = max(0, context.clockSkew)
        let (earliest, earliestOverflow) = context.now.subtractingReportingOverflow(skew)
        let (latest, latestOverflow) = context.now.addingReportingOverflow(skew)
        guard !earliestOverflow, !latestOverflow else { return TokenRejection(.expired, "clock out of range") }

        switch claims.numericDate(.exp) {
        case .failure(let rejection): return rejection
        case .success(nil): return TokenRejection(.missingClaim, "exp is missing")
        case .success(let exp?):
            if exp <= earliest { return TokenRejection(.expired, "token expired") }
        }
        for name in [JWTClaims.Name.nbf, .iat] {
            switch claims.numericDate(name) {
            case .failure(let rejection): return rejection
            case .success(nil): continue
            case .success(let time?):
                if time > latest { return TokenRejection(.notYetValid, "\(name.text) is in the future") }
            }
        }
        return nil
    }
}
