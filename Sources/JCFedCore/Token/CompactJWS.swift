/// A JWS in compact serialization (RFC 7515 §7.1): `header.payload.signature`, each base64url
/// without padding. Parsing trusts nothing: it only establishes the shape, so the policies
/// can look at the header and, after the signature has been verified, at the claims.
///
/// One pass over the bytes (this runs on every validation): the dots are found once (eight bytes
/// at a time), header, payload and signature are decoded straight from the string's storage into
/// one buffer, and header and payload are read as JSON by `JSONParser.memberSlots`, which checks
/// the whole document as strictly as `JSONParser.parse` but builds only the header members and
/// claims the policies read (and of those, leaves plain strings as ranges of the buffer). The
/// signing input is never copied: it is the token's own first bytes (`verify`).
public struct CompactJWS: Sendable {
    /// The protected header's `alg`, `kid` and `crit`.
    public let header: JWSHeader
    /// The claims the policies read. Not to be trusted before the signature.
    public let payload: JWTClaims
    /// The token as received; its first `signingInputCount` bytes are `header.payload`.
    private let token: String
    private let signingInputCount: Int
    /// Header, payload and signature decoded, in that order; the signature is the tail from
    /// `signatureStart` (header and payload hold the same buffer).
    private let decoded: [UInt8]
    private let signatureStart: Int

    /// The decoded signature: a copy, for tests and tools (the bench's verify-only loop);
    /// validation uses `verify`, which reads it in place.
    public var signature: [UInt8] {
        guard signatureStart >= 0, signatureStart <= decoded.count else { return [] }
        return Array(decoded[signatureStart...])
    }

    /// The ASCII bytes `header.payload` exactly as received: what the signature covers. A copy,
    /// for tests and tools; validation uses `verify`, which reads them in place.
    public var signingInput: [UInt8] { Array(token.utf8.prefix(signingInputCount)) }

    /// Whether the signature verifies with `key` (an empty one never does), the verifier given
    /// the signing input in the token's storage and the signature in the decoded buffer.
    func verify(with verifier: SignatureVerifier, algorithm: JWSAlgorithm, key: JWK) -> Bool {
        guard signatureStart >= 0, signatureStart < decoded.count else { return false }
        var text = token
        return text.withUTF8 { bytes in
            // Both ranges are checked against their buffers first.
            guard signingInputCount >= 0, signingInputCount <= bytes.count else { return false }
            return decoded.withUnsafeBufferPointer { all in
                verifier.verify(algorithm: algorithm, key: key,
                                signingInput: UnsafeBufferPointer(rebasing: bytes[0..<signingInputCount]),
                                signature: UnsafeBufferPointer(rebasing: all[signatureStart..<all.count]))
            }
        }
    }

    /// Size is checked before anything else is done with the input. The signature segment
    /// may be empty (an `alg: none` token then fails on its algorithm, the precise reason).
    /// `blocks`: SIMD for the base64url (the module's, see Base64URLBlockDecoder); the same
    /// verdicts without it.
    public static func parse(_ token: String, maxBytes: Int,
                             blocks: Base64URLBlockDecoder? = nil) -> Result<CompactJWS, TokenRejection> {
        guard token.utf8.count <= maxBytes else {
            return .failure(TokenRejection(.tooLarge, "token is longer than \(maxBytes) bytes"))
        }
        // The string's own UTF-8 storage (no copy for a native string).
        var text = token
        return text.withUTF8 { parse(bytes: $0, of: token, blocks: blocks) }
    }

    private static let dot = UInt8(ascii: ".")

    private static func parse(bytes: UnsafeBufferPointer<UInt8>, of token: String,
                              blocks: Base64URLBlockDecoder?) -> Result<CompactJWS, TokenRejection> {
        let notThree = TokenRejection(.malformed, "not three dot-separated segments")
        // The first dot from the front (past the short header) and the last from the back
        // (past the signature), so the long payload is not scanned for dots here.
        // 0 <= first < second < bytes.count: both only return indices of the buffer.
        guard let first = ByteScan.firstIndex(of: dot, in: bytes, from: 0),
              let second = ByteScan.lastIndex(of: dot, in: bytes),
              first < second, second < bytes.count else {
            return .failure(notThree)
        }
        // Any other dot is in the payload segment, whose decoding then fails ('.' is not
        // base64url): only then is it looked for, so that it is still reported as the shape.
        func undecodable() -> Result<CompactJWS, TokenRejection> {
            if ByteScan.firstIndex(of: dot, in: bytes, from: first + 1) != second { return .failure(notThree) }
            return .failure(TokenRejection(.malformed, "a segment is not strict base64url"))
        }
        let headerChars = UnsafeBufferPointer(rebasing: bytes[0..<first])
        let payloadChars = UnsafeBufferPointer(rebasing: bytes[(first + 1)..<second])
        let signatureChars = UnsafeBufferPointer(rebasing: bytes[(second + 1)..<bytes.count])
        guard let headerCount = Base64.decodedCount(headerChars.count),
              let payloadCount = Base64.decodedCount(payloadChars.count),
              let signatureCount = Base64.decodedCount(signatureChars.count) else {
            return undecodable()
        }
        // Header, payload and signature decoded into one buffer, made at its final size and
        // written by the decoder.
        let payloadEnd = headerCount + payloadCount
        let decoded = decodedBuffer(payloadEnd + signatureCount, placeholder: bytes) { out in
            Base64.urlDecode(headerChars, into: out, at: 0, blocks: blocks)
                && Base64.urlDecode(payloadChars, into: out, at: headerCount, blocks: blocks)
                && Base64.urlDecode(signatureChars, into: out, at: payloadEnd, blocks: blocks)
        }
        guard let decoded else { return undecodable() }
        // One scanner reads both (the payload only if the header is an object).
        let slots = JSONParser.memberSlots(of: decoded, in: 0..<headerCount, wanted: JWSHeader.wanted,
                                           then: headerCount..<payloadEnd, wanted: JWTClaims.wanted)
        guard case .success(let headerSlots) = slots.first else {
            return .failure(TokenRejection(.malformed, "header is not a JSON object"))
        }
        guard case .success(let claimSlots)? = slots.second else {
            return .failure(TokenRejection(.malformed, "payload is not a JSON object"))
        }
        // Header and claims keep the one decoded buffer; their strings are ranges of it.
        return .success(CompactJWS(header: JWSHeader(document: decoded, members: headerSlots),
                                   payload: JWTClaims(document: decoded, members: claimSlots),
                                   token: token, signingInputCount: second,
                                   decoded: decoded, signatureStart: payloadEnd))
    }

    /// `count` bytes written by `fill` (which writes every byte of its buffer when it returns
    /// true); nil when `fill` fails, so a partly written buffer is never seen. The buffer is
    /// reserved and first holds a copy of `placeholder`'s first bytes (one memcpy; the token's
    /// characters, always more than the bytes they decode to), all overwritten by `fill`.
    /// Not `Array(unsafeUninitializedCapacity:)` or `Array(repeating:count:)`: both allocate
    /// through the stdlib's unspecialized `_allocateBufferUninitialized`, which looks the array's
    /// storage type up in the runtime's metadata cache on every call (~600 instructions); nor a
    /// fill from `repeatElement`, which is written byte by byte.
    private static func decodedBuffer(_ count: Int, placeholder: UnsafeBufferPointer<UInt8>,
                                      _ fill: (UnsafeMutableBufferPointer<UInt8>) -> Bool) -> [UInt8]? {
        guard count >= 0, count <= placeholder.count else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: placeholder[0..<count]))
        let filled = bytes.withUnsafeMutableBufferPointer { buffer in buffer.count == count && fill(buffer) }
        return filled ? bytes : nil
    }
}
