/// base64url without padding (RFC 7515 §2) for JWS segments and JWK members, and standard
/// base64 for the few places that use it (x5c, HTTP signatures). Strict: any character outside
/// the alphabet, padding where none is allowed, or non-zero trailing bits is an error, so one
/// token has exactly one encoding.
public enum Base64 {
    private static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let stdAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Per position in a quad, character -> its bits already where they land in the quad's three
    /// bytes; made once (decoding is on the hot path of token validation). See `quadTable`.
    private static let urlTable = quadTable(urlAlphabet)
    private static let stdTable = quadTable(stdAlphabet)

    public static func urlDecode(_ s: String) -> [UInt8]? { decode(Array(s.utf8)[...], table: urlTable, padded: false) }
    public static func urlDecode(_ s: Substring) -> [UInt8]? { decode(Array(s.utf8)[...], table: urlTable, padded: false) }
    public static func urlDecode(_ bytes: ArraySlice<UInt8>) -> [UInt8]? { decode(bytes, table: urlTable, padded: false) }
    public static func urlEncode(_ bytes: [UInt8]) -> String { encode(bytes, alphabet: urlAlphabet, pad: false) }
    public static func stdDecode(_ s: String) -> [UInt8]? { decode(Array(s.utf8)[...], table: stdTable, padded: true) }
    public static func stdEncode(_ bytes: [UInt8]) -> String { encode(bytes, alphabet: stdAlphabet, pad: true) }

    static func encode(_ bytes: [UInt8], alphabet: [UInt8], pad: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(v >> 18 & 63)]); out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)]); out.append(alphabet[Int(v & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let v = UInt32(bytes[i]) << 16
            out.append(alphabet[Int(v >> 18 & 63)]); out.append(alphabet[Int(v >> 12 & 63)])
            if pad { out.append(UInt8(ascii: "=")); out.append(UInt8(ascii: "=")) }
        } else if rest == 2 {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(alphabet[Int(v >> 18 & 63)]); out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)])
            if pad { out.append(UInt8(ascii: "=")) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Outside the alphabet: bits above the three bytes, so one OR over a run of characters
    /// tells whether any was outside.
    static let notInAlphabet: UInt32 = 0xFF00_0000

    /// 4 x 256 entries: `table[k * 256 + c]` is character `c` at position `k` of a quad, shifted so
    /// that the OR of a quad's four entries holds its first byte in bits 0-7, the second in 8-15
    /// and the third in 16-23 (a decoded quad is one little-endian store). A character's bits
    /// that fall outside the bytes of a short tail land in a byte of their own that must be zero
    /// (canonical encoding).
    private static func quadTable(_ alphabet: [UInt8]) -> [UInt32] {
        var table = [UInt32](repeating: notInAlphabet, count: 4 * 256)
        for (value, c) in alphabet.enumerated() {
            let v = UInt32(value)
            table[Int(c)] = v << 2                                     // byte 0, bits 7-2
            table[256 + Int(c)] = v >> 4 | (v & 0x0F) << 12            // byte 0 bits 1-0, byte 1 bits 7-4
            table[512 + Int(c)] = (v >> 2) << 8 | (v & 0x03) << 22     // byte 1 bits 3-0, byte 2 bits 7-6
            table[768 + Int(c)] = v << 16                              // byte 2, bits 5-0
        }
        return table
    }

    static func decode(_ input: ArraySlice<UInt8>, table: [UInt32], padded: Bool) -> [UInt8]? {
        var chars = input
        if padded {
            guard input.count % 4 == 0 else { return nil }
            var pads = 0
            while pads < 2, chars.last == UInt8(ascii: "=") { chars = chars.dropLast(); pads += 1 }
        }
        var out: [UInt8] = []
        guard decode(chars, table: table, appendingTo: &out) else { return nil }
        return out
    }

    /// Strict base64url without padding: `input` decoded onto the end of `out`. False if it is
    /// not strict base64url; `out` may then hold part of it.
    public static func urlDecode(_ input: ArraySlice<UInt8>, appendingTo out: inout [UInt8]) -> Bool {
        decode(input, table: urlTable, appendingTo: &out)
    }

    static func decode(_ chars: ArraySlice<UInt8>, table: [UInt32], appendingTo out: inout [UInt8]) -> Bool {
        guard let produced = decodedCount(chars.count) else { return false }
        let base = out.count
        out.append(contentsOf: repeatElement(0, count: produced))
        return chars.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                decode(input, table: table, into: output, at: base)
            }
        }
    }

    /// How many bytes `count` base64 characters without padding decode to; nil for a length no
    /// encoding has (one character left over).
    static func decodedCount(_ count: Int) -> Int? {
        guard count >= 0, count % 4 != 1 else { return nil }
        return count / 4 * 3 + (count % 4 == 0 ? 0 : count % 4 - 1)
    }

    /// Strict base64url without padding: `input` decoded into `output[at...]`, which must have
    /// room for exactly `decodedCount(input.count)` bytes from `at` (the token's segments are
    /// decoded straight into their buffers). False if it is not strict base64url.
    /// `blocks` (SIMD, from the module's edge) decodes whole 32-character blocks from the front
    /// first; the rest, the tail included, is decoded here. An answer outside its contract
    /// (Base64URLBlockDecoder) is a failure, never trusted.
    static func urlDecode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>,
                          at start: Int, blocks: Base64URLBlockDecoder? = nil) -> Bool {
        guard blocks != nil, input.count >= 32, let produced = decodedCount(input.count), start >= 0,
              start <= output.count, produced <= output.count - start else {
            return decode(input, table: urlTable, into: output, at: start)
        }
        let segment = UnsafeMutableBufferPointer(rebasing: output[start..<(start + produced)])
        // Called through the optional, not a copy of it (`blocks` is not nil here, so nil is
        // the decoder's answer: a character outside the alphabet).
        guard let done = blocks?.decodeBlocks(input, into: segment),
              done >= 0, done % 32 == 0, done <= input.count, done / 32 * 24 <= produced else { return false }
        return decode(UnsafeBufferPointer(rebasing: input[done...]), table: urlTable, into: output,
                      at: start + done / 32 * 24)
    }

    /// Four characters at a time; the last one to three carry the remaining bytes, whose unused
    /// bits must be zero (canonical encoding). One character left over is never valid.
    /// On the hot path of every token validation, so it works on the buffers directly; every
    /// index is proven in range before it is used:
    /// - `table` has 4 x 256 entries (checked), indexed by `k * 256 + byte` with k < 4;
    /// - input indices are below `i + 4 <= quadChars <= input.count` in the loops and below
    ///   `input.count` in the tail (`rest` more characters are left, checked);
    /// - output: `start + produced == end <= output.count` (checked); a quad written as one
    ///   4-byte store needs `o + 4 <= end` (its 4th byte is the next quad's first, overwritten
    ///   by it): true for the first `storeQuads` quads (o = start + 3k), so that loop counts
    ///   with wrapping adds (no overflow check to pay); the last full quad is written byte by
    ///   byte with `o + 3 <= end`.
    static func decode(_ input: UnsafeBufferPointer<UInt8>, table: [UInt32],
                       into output: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Bool {
        guard let produced = decodedCount(input.count) else { return false }
        let rest = input.count % 4
        let quadChars = input.count - rest
        let end = start + produced
        guard start >= 0, end <= output.count else { return false }
        return table.withUnsafeBufferPointer { t -> Bool in
            guard t.count == 4 * 256 else { return false }
            let raw = UnsafeMutableRawBufferPointer(output)
            var i = 0
            var o = start
            var seen: UInt32 = 0
            // Quad k (k < storeQuads) reads i = 4k + 3 < quadChars and writes o + 3 = start + 3k + 3 < end.
            let storeQuads = produced >= 4 ? min(quadChars / 4, (produced - 4) / 3 + 1) : 0
            let storeChars = storeQuads * 4
            // Two quads per round while both are store quads (fewer loop tests per character).
            let pairChars = storeQuads / 2 * 8
            while i < pairChars {
                let v = t[Int(input[i])] | t[256 &+ Int(input[i &+ 1])]
                    | t[512 &+ Int(input[i &+ 2])] | t[768 &+ Int(input[i &+ 3])]
                let w = t[Int(input[i &+ 4])] | t[256 &+ Int(input[i &+ 5])]
                    | t[512 &+ Int(input[i &+ 6])] | t[768 &+ Int(input[i &+ 7])]
                seen |= v | w
                raw.storeBytes(of: v.littleEndian, toByteOffset: o, as: UInt32.self)
                raw.storeBytes(of: w.littleEndian, toByteOffset: o &+ 3, as: UInt32.self)
                i &+= 8
                o &+= 6
            }
            while i < storeChars {
                let v = t[Int(input[i])] | t[256 &+ Int(input[i &+ 1])]
                    | t[512 &+ Int(input[i &+ 2])] | t[768 &+ Int(input[i &+ 3])]
                seen |= v
                raw.storeBytes(of: v.littleEndian, toByteOffset: o, as: UInt32.self)
                i &+= 4
                o &+= 3
            }
            while i + 4 <= quadChars, o + 3 <= end {
                let v = t[Int(input[i])] | t[256 + Int(input[i + 1])]
                    | t[512 + Int(input[i + 2])] | t[768 + Int(input[i + 3])]
                seen |= v
                output[o] = UInt8(truncatingIfNeeded: v)
                output[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                output[o + 2] = UInt8(truncatingIfNeeded: v >> 16)
                i += 4
                o += 3
            }
            // Every full quad was decoded (the output bound is exact), so `rest` characters are left.
            guard i == quadChars, o + (rest == 0 ? 0 : rest - 1) == end,
                  seen & notInAlphabet == 0 else { return false }
            switch rest {
            case 2:
                // One byte; the second character's low 4 bits (byte 1) must be zero.
                let v = t[Int(input[i])] | t[256 + Int(input[i + 1])]
                guard v & 0xFFFF_FF00 == 0 else { return false }
                output[o] = UInt8(truncatingIfNeeded: v)
            case 3:
                // Two bytes; the third character's low 2 bits (byte 2) must be zero.
                let v = t[Int(input[i])] | t[256 + Int(input[i + 1])] | t[512 + Int(input[i + 2])]
                guard v & 0xFFFF_0000 == 0 else { return false }
                output[o] = UInt8(truncatingIfNeeded: v)
                output[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
            default:
                break
            }
            return true
        }
    }
}
