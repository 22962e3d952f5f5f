/// A JWS in compact serialization (RFC 7515 §7.1): `header.payload.signature`, each base64url
/// without padding. Parsing trusts nothing: it only establishes the shape, so the policies
/// can look at the header and, after the signature has been verified, at the claims.
public struct CompactJWS: Sendable {
    /// The decoded protected header, a JSON object.
    public let header: [String: JSONValue]
    /// The decoded payload (the claims), a JSON object. Not to be trusted before the signature.
    public let payload: [String: JSONValue]
    public let signature: [UInt8]
    /// The ASCII bytes `header.payload` exactly as received: what the signature covers.
    public let signingInput: [UInt8]

    /// Size is checked before anything else is done with the input. The signature segment
    /// may be empty (an `alg: none` token then fails on its algorithm, the precise reason).
    public static func parse(_ token: String, maxBytes: Int) -> Result<CompactJWS, TokenRejection> {
        guard token.utf8.count <= maxBytes else {
            return .failure(TokenRejection(.tooLarge, "token is longer than \(maxBytes) bytes"))
        }
        // One copy of the bytes; the segments are slices of it (this is on every validation).
        let bytes = Array(token.utf8)
        let dot = UInt8(ascii: ".")
        guard let first = bytes.firstIndex(of: dot),
              let second = bytes[(first + 1)...].firstIndex(of: dot),
              !bytes[(second + 1)...].contains(dot) else {
            return .failure(TokenRejection(.malformed, "not three dot-separated segments"))
        }
        let h = bytes[..<first]
        let p = bytes[(first + 1)..<second]
        guard let headerBytes = Base64.urlDecode(h),
              let payloadBytes = Base64.urlDecode(p),
              let signature = Base64.urlDecode(bytes[(second + 1)...]) else {
            return .failure(TokenRejection(.malformed, "a segment is not strict base64url"))
        }
        guard case .success(let headerJSON) = JSONParser.parse(headerBytes),
              let header = headerJSON.objectValue else {
            return .failure(TokenRejection(.malformed, "header is not a JSON object"))
        }
        guard case .success(let payloadJSON) = JSONParser.parse(payloadBytes),
              let payload = payloadJSON.objectValue else {
            return .failure(TokenRejection(.malformed, "payload is not a JSON object"))
        }
        let signingInput = Array(bytes[..<second])
        return .success(CompactJWS(header: header, payload: payload, signature: signature,
                                   signingInput: signingInput))
    }
}
