/// `iss` must equal the issuer from discovery exactly (no trailing-slash or case leniency, the
/// v1 issuer `https://sts.windows.net/{tid}/` is a different issuer). Entra keys also carry an
/// `issuer`, possibly the template `https://login.microsoftonline.com/{tenantid}/v2.0`: with the
/// token's `tid` substituted it must name the same issuer, so a key of one tenant cannot vouch
/// for another.
///
/// Runs on every validation, so the claims are compared as bytes (ClaimText) and the template
/// is matched in place; a String is built only when the bytes differ (String's `==` decides then).
public struct IssuerPolicy: ClaimPolicy {
    public static let tenantPlaceholder = "{tenantid}"
    private static let marker = Array(tenantPlaceholder.utf8)

    public init() {}

    public func check(_ claims: JWTClaims, key: JWK, context: ValidationContext) -> TokenRejection? {
        let iss: ClaimText
        switch claims.requiredText(.iss) {
        case .failure(let rejection): return rejection
        case .success(let value): iss = value
        }
        guard iss.isSame(as: context.issuer) else {
            return TokenRejection(.issuerMismatch, "iss is not the configured issuer")
        }
        guard let keyIssuer = key.issuer else { return nil }
        var expected = keyIssuer
        if IssuerPolicy.hasTenantPlaceholder(keyIssuer) {
            switch claims.requiredText(.tid) {
            case .failure(let rejection): return rejection
            case .success(let tid):
                if IssuerPolicy.matches(template: keyIssuer, tid: tid, iss: iss) { return nil }
                expected = IssuerPolicy.substituteTenant(in: keyIssuer, tid: tid.string)
            }
        }
        return iss.isSame(as: expected) ? nil : TokenRejection(.issuerMismatch, "the signing key belongs to another issuer")
    }

    /// Whether `template` holds `{tenantid}` (a byte search: String.contains(String) goes
    /// through _StringProcessing's generic searcher, a measurable share of a validation).
    static func hasTenantPlaceholder(_ template: String) -> Bool {
        var source = template
        return source.withUTF8 { bytes in
            marker.withUnsafeBufferPointer { marker in
                // Only where the marker's first byte is.
                guard let first = marker.first else { return false }
                var from = 0
                while let i = ByteScan.firstIndex(of: first, in: bytes, from: from) {
                    if starts(bytes, at: i, with: marker) { return true }
                    from = i + 1
                }
                return false
            }
        }
    }

    /// Whether `iss` is, byte for byte, `substituteTenant(in: template, tid: tid)`, without
    /// building it. False also means "not the same bytes": the caller then compares Strings.
    static func matches(template: String, tid: ClaimText, iss: ClaimText) -> Bool {
        var source = template
        return source.withUTF8 { template in
            tid.withUTF8 { tid in
                iss.withUTF8 { iss in
                    marker.withUnsafeBufferPointer { marker in
                        // marker[0] exists (checked here); template[i] is read with i < template.count.
                        guard !marker.isEmpty else { return false }
                        var i = 0
                        var j = 0
                        // Each step moves i forward by 1 or the marker's length, as substituteTenant does.
                        while i < template.count {
                            // (The marker's first byte is looked at before the whole marker is.)
                            if template[i] == marker[0], starts(template, at: i, with: marker) {
                                guard starts(iss, at: j, with: tid) else { return false }
                                i += marker.count
                                j += tid.count
                            } else {
                                // i < template.count (loop), j < iss.count (checked here).
                                guard j < iss.count, iss[j] == template[i] else { return false }
                                i += 1
                                j += 1
                            }
                        }
                        return j == iss.count
                    }
                }
            }
        }
    }

    /// Whether `buffer[start...]` begins with `prefix`; every index is below `start + prefix.count <= buffer.count`.
    private static func starts(_ buffer: UnsafeBufferPointer<UInt8>, at start: Int,
                               with prefix: UnsafeBufferPointer<UInt8>) -> Bool {
        guard start >= 0, start <= buffer.count, prefix.count <= buffer.count - start else { return false }
        var k = 0
        while k < prefix.count {
            guard buffer[start + k] == prefix[k] else { return false }
            k += 1
        }
        return true
    }

    /// Replaces every `{tenantid}` in `template` with `tid` (no Foundation here).
    public static func substituteTenant(in template: String, tid: String) -> String {
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
