/// A JWS in compact serialization (RFC 7515 §7.1): `header.payload.signature`, each base64url
/// without padding. Parsing trusts nothing: it only establishes the shape, so the policies
/// can look at the header and, after the signature has been verified, at the claims.
///
/// One pass over the bytes (this runs on every validation): the dots are found once, header and
/// payload are decoded into one buffer, and each is read as JSON by `JSONParser.members`, which
/// checks the whole document as strictly as `JSONParser.parse` but builds only the header
/// members and claims the policies read.
public struct CompactJWS: Sendable {
    /// The protected header's `alg`, `kid` and `crit`.
    public let header: JWSHeader
    /// The claims the policies read. Not to be trusted before the signature.
    public let payload: JWTClaims
    public let signature: [UInt8]
    /// The ASCII bytes `header.payload` exactly as received: what the signature covers.
    public let signingInput: [UInt8]

    /// Size is checked before anything else is done with the input. The signature segment
    /// may be empty (an `alg: none` token then fails on its algorithm, the precise reason).
    public static func parse(_ token: String, maxBytes: Int) -> Result<CompactJWS, TokenRejection> {
        guard token.utf8.count <= maxBytes else {
            return .failure(TokenRejection(.tooLarge, "token is longer than \(maxBytes) bytes"))
        }
        // One copy of the bytes; it becomes the signing input once the signature is decoded.
        var bytes = Array(token.utf8)
        var dots = 0
        var first = 0
        var second = 0
        bytes.withUnsafeBufferPointer { buffer in
            for i in 0..<buffer.count where buffer[i] == UInt8(ascii: ".") {
                dots += 1
                if dots == 1 { first = i } else if dots == 2 { second = i }
            }
        }
        guard dots == 2, first < second, second < bytes.count else {
            return .failure(TokenRejection(.malformed, "not three dot-separated segments"))
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(second * 3 / 4 + 3)
        var signature: [UInt8] = []
        signature.reserveCapacity((bytes.count - second) * 3 / 4 + 3)
        guard Base64.urlDecode(bytes[..<first], appendingTo: &decoded) else {
            return .failure(TokenRejection(.malformed, "a segment is not strict base64url"))
        }
        let headerEnd = decoded.count
        guard Base64.urlDecode(bytes[(first + 1)..<second], appendingTo: &decoded),
              Base64.urlDecode(bytes[(second + 1)...], appendingTo: &signature) else {
            return .failure(TokenRejection(.malformed, "a segment is not strict base64url"))
        }
        guard case .success(let headerSlots) = JSONParser.members(of: decoded, in: 0..<headerEnd,
                                                                  wanted: JWSHeader.wanted) else {
            return .failure(TokenRejection(.malformed, "header is not a JSON object"))
        }
        guard case .success(let claimSlots) = JSONParser.members(of: decoded, in: headerEnd..<decoded.count,
                                                                 wanted: JWTClaims.wanted) else {
            return .failure(TokenRejection(.malformed, "payload is not a JSON object"))
        }
        bytes.removeSubrange(second...)
        return .success(CompactJWS(header: JWSHeader(slots: headerSlots), payload: JWTClaims(slots: claimSlots),
                                   signature: signature, signingInput: bytes))
    }
}
