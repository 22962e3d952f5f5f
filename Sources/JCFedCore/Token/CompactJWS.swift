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
        let bytes = token.utf8
        guard bytes.count <= maxBytes else {
            return .failure(TokenRejection(.tooLarge, "token is longer than \(maxBytes) bytes"))
        }
        let dot = UInt8(ascii: ".")
        let segments = bytes.split(separator: dot, maxSplits: 3, omittingEmptySubsequences: false)
        guard segments.count == 3, let h = segments.first, let p = segments.dropFirst().first,
              let s = segments.last else {
            return .failure(TokenRejection(.malformed, "not three dot-separated segments"))
        }
        guard let headerBytes = Base64.urlDecode(String(decoding: h, as: UTF8.self)),
              let payloadBytes = Base64.urlDecode(String(decoding: p, as: UTF8.self)),
              let signature = Base64.urlDecode(String(decoding: s, as: UTF8.self)) else {
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
        var signingInput = Array(h)
        signingInput.append(dot)
        signingInput.append(contentsOf: p)
        return .success(CompactJWS(header: header, payload: payload, signature: signature,
                                   signingInput: signingInput))
    }
}
