/// RFC 7515 §4.1.11: a recipient must refuse a JWS whose `crit` names an extension it does not
/// understand. We understand none, so any `crit` (even an empty list, which the RFC forbids) fails.
public enum CriticalHeaderPolicy {
    public static func check(_ header: JWSHeader) -> TokenRejection? {
        !header.isPresent(.crit) ? nil : TokenRejection(.criticalHeader, "crit header present")
    }
}
