/// `iss` must equal the issuer from discovery exactly (no trailing-slash or case leniency, the
/// v1 issuer `https://sts.windows.net/{tid}/` is a different issuer). Entra keys also carry an
/// `issuer`, possibly the template `https://login.microsoftonline.com/{tenantid}/v2.0`: with the
/// token's `tid` substituted it must name the same issuer, so a key of one tenant cannot vouch
/// for another.
public struct IssuerPolicy: ClaimPolicy {
    public static let tenantPlaceholder = "{tenantid}"

    public init() {}

    public func check(_ claims: JWTClaims, key: JWK, context: ValidationContext) -> TokenRejection? {
        let iss: String
        switch claims.requiredString(.iss) {
        case .failure(let rejection): return rejection
        case .success(let value): iss = value
        }
        guard iss == context.issuer else { return TokenRejection(.issuerMismatch, "iss is not the configured issuer") }
        guard let keyIssuer = key.issuer else { return nil }
        var expected = keyIssuer
        if IssuerPolicy.hasTenantPlaceholder(keyIssuer) {
            switch claims.requiredString(.tid) {
            case .failure(let rejection): return rejection
            case .success(let tid): expected = IssuerPolicy.substituteTenant(in: keyIssuer, tid: tid)
            }
        }
        return expected == iss ? nil : TokenRejection(.issuerMismatch, "the signing key belongs to another issuer")
    }

    /// Whether `template` holds `{tenantid}`: a byte search (String.contains(String) goes
    /// through _StringProcessing's generic searcher, a measurable share of a validation).
    static func hasTenantPlaceholder(_ template: String) -> Bool {
        let marker = Array(tenantPlaceholder.utf8)
        let source = Array(template.utf8)
        guard let first = marker.first, source.count >= marker.count else { return false }
        for i in 0...(source.count - marker.count) where source[i] == first {
            if source[i..<(i + marker.count)].elementsEqual(marker) { return true }
        }
        return false
    }

    /// Replaces every `{tenantid}` in `template` with `tid` (no Foundation here).
    public static func substituteTenant(in template: String, tid: String) -> String {
        let marker = Array(tenantPlaceholder.utf8)
        let source = Array(template.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(source.count + tid.utf8.count)
        var i = 0
        while i < source.count {
            if source.count - i >= marker.count, Array(source[i..<(i + marker.count)]) == marker {
                out.append(contentsOf: tid.utf8)
                i += marker.count
            } else {
                out.append(source[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
