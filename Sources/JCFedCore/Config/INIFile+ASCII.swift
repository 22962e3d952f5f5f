/// `INIFile.classify` for a line of ASCII bytes, which nearly every line of jcfed.conf is. On
/// ASCII a Character is one byte (a line holds no LF, so no CR LF pair), so trimming, prefixes,
/// the first `=` and lowercasing give exactly the Character-wise result; working on the bytes
/// keeps the parse that runs at every login off the grapheme-breaking and Unicode-case tables.
/// `INIClassifyTests` compares both on random lines.
extension INIFile {
    /// nil when the line holds a byte outside ASCII (`classify` then reads it by Characters).
    static func classifyASCII<S: StringProtocol>(_ rawLine: S) -> INILine? {
        let bytes = Array(rawLine.utf8)
        var control = false
        for b in bytes {
            if b >= 0x80 { return nil }
            if (b < 0x20 && b != 0x09 && b != 0x0D) || b == 0x7F { control = true }
        }
        let line = Trim.trimmed(bytes, 0..<bytes.count)
        let first = line.isEmpty ? nil : bytes[line.lowerBound]
        if control {
            return .malformed(problem: "contains a control character", header: first == UInt8(ascii: "["))
        }
        guard let first = first, first != UInt8(ascii: "#"), first != UInt8(ascii: ";") else { return .blank }
        if first == UInt8(ascii: "[") {
            let closed = line.count >= 2 && bytes[line.upperBound - 1] == UInt8(ascii: "]")
            let name = closed ? Trim.trimmed(bytes, (line.lowerBound + 1)..<(line.upperBound - 1)) : 0..<0
            guard !name.isEmpty else { return .malformed(problem: "malformed section header", header: true) }
            return .header(lowercased(bytes[name]))
        }
        guard let eq = bytes[line].firstIndex(of: UInt8(ascii: "=")) else {
            return .malformed(problem: "expected 'key = value'", header: false)
        }
        let key = Trim.trimmed(bytes, line.lowerBound..<eq)
        guard !key.isEmpty else { return .malformed(problem: "missing key before '='", header: false) }
        return .entry(key: lowercased(bytes[key]), value: valueASCII(bytes, Trim.trimmed(bytes, (eq + 1)..<line.upperBound)))
    }

    /// `splitValue(...).value` on ASCII: up to the first ` #` (else the first tab and `#`),
    /// without the blanks before it.
    private static func valueASCII(_ bytes: [UInt8], _ raw: Range<Int>) -> String {
        func firstPair(_ a: UInt8) -> Int? {
            var i = raw.lowerBound
            while i + 1 < raw.upperBound {
                if bytes[i] == a && bytes[i + 1] == UInt8(ascii: "#") { return i }
                i += 1
            }
            return nil
        }
        guard var end = firstPair(UInt8(ascii: " ")) ?? firstPair(UInt8(ascii: "\t")) else {
            return String(decoding: bytes[raw], as: UTF8.self)
        }
        while end > raw.lowerBound, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") {
            end -= 1
        }
        return String(decoding: bytes[Trim.trimmed(bytes, raw.lowerBound..<end)], as: UTF8.self)
    }

    private static func lowercased(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}
