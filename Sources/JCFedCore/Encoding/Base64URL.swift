/// base64url without padding (RFC 7515 §2) for JWS segments and JWK members, and standard
/// base64 for the few places that use it (x5c, HTTP signatures). Strict: any character outside
/// the alphabet, padding where none is allowed, or non-zero trailing bits is an error, so one
/// token has exactly one encoding.
public enum Base64 {
    private static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let stdAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Character -> 6-bit value, -1 outside the alphabet; made once (decoding is on the hot path
    /// of token validation).
    private static let urlTable = decodeTable(urlAlphabet)
    private static let stdTable = decodeTable(stdAlphabet)

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

    private static func decodeTable(_ alphabet: [UInt8]) -> [Int16] {
        var table = [Int16](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = Int16(i) }
        return table
    }

    /// `table` has 256 entries, so indexing it with a byte is always in bounds.
    static func decode(_ input: ArraySlice<UInt8>, table: [Int16], padded: Bool) -> [UInt8]? {
        var chars = input
        if padded {
            guard input.count % 4 == 0 else { return nil }
            var pads = 0
            while pads < 2, chars.last == UInt8(ascii: "=") { chars = chars.dropLast(); pads += 1 }
        }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        guard decode(chars, table: table, appendingTo: &out) else { return nil }
        return out
    }

    /// Strict base64url without padding: `input` decoded onto the end of `out` (a token's
    /// segments go into one buffer). False if it is not strict base64url; `out` may then hold
    /// part of it.
    public static func urlDecode(_ input: ArraySlice<UInt8>, appendingTo out: inout [UInt8]) -> Bool {
        decode(input, table: urlTable, appendingTo: &out)
    }

    /// Four characters at a time; the last one to three carry the remaining bytes, whose unused
    /// bits must be zero (canonical encoding). One character left over is never valid.
    /// On the hot path of every token validation, so it works on the buffers directly: every
    /// index used is below a bound checked before the loop (input length, output size, and the
    /// table's 256 entries for a byte).
    static func decode(_ chars: ArraySlice<UInt8>, table: [Int16], appendingTo out: inout [UInt8]) -> Bool {
        guard table.count == 256, chars.count % 4 != 1 else { return false }
        let quads = chars.count / 4
        let rest = chars.count % 4
        let produced = quads * 3 + (rest == 0 ? 0 : rest - 1)
        let base = out.count
        out.append(contentsOf: repeatElement(0, count: produced))
        let ok = chars.withUnsafeBufferPointer { input -> Bool in
            table.withUnsafeBufferPointer { t -> Bool in
                out.withUnsafeMutableBufferPointer { output -> Bool in
                    guard t.count == 256, input.count == quads * 4 + rest,
                          base >= 0, base + produced <= output.count else { return false }
                    var i = 0
                    var o = base
                    var bad: Int16 = 0
                    while i + 4 <= quads * 4 {
                        let a = t[Int(input[i])], b = t[Int(input[i + 1])]
                        let c = t[Int(input[i + 2])], d = t[Int(input[i + 3])]
                        bad |= a | b | c | d
                        let v = UInt32(truncatingIfNeeded: a) << 18 | UInt32(truncatingIfNeeded: b) << 12
                            | UInt32(truncatingIfNeeded: c) << 6 | UInt32(truncatingIfNeeded: d)
                        output[o] = UInt8(truncatingIfNeeded: v >> 16)
                        output[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                        output[o + 2] = UInt8(truncatingIfNeeded: v)
                        i += 4
                        o += 3
                    }
                    // A character outside the alphabet is -1: one sign bit anywhere fails it all.
                    guard bad >= 0 else { return false }
                    switch rest {
                    case 2:
                        let a = t[Int(input[i])], b = t[Int(input[i + 1])]
                        guard a | b >= 0, b & 0x0F == 0 else { return false }
                        output[o] = UInt8(truncatingIfNeeded: UInt32(a) << 2 | UInt32(b) >> 4)
                    case 3:
                        let a = t[Int(input[i])], b = t[Int(input[i + 1])], c = t[Int(input[i + 2])]
                        guard a | b | c >= 0, c & 0x03 == 0 else { return false }
                        let v = UInt32(a) << 10 | UInt32(b) << 4 | UInt32(c) >> 2
                        output[o] = UInt8(truncatingIfNeeded: v >> 8)
                        output[o + 1] = UInt8(truncatingIfNeeded: v)
                    default:
                        break
                    }
                    return true
                }
            }
        }
        return ok
    }
}
