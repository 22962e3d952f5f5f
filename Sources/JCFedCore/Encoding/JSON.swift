/// A strict JSON value (RFC 8259) for everything the module reads from the network or disk.
///
/// Why our own parser and not JSONDecoder: a token validator must reject what a lenient parser
/// silently accepts. This one refuses duplicate object keys (two `aud`s must not be read two ways),
/// caps nesting depth and input size, rejects lone surrogates and control characters in strings,
/// and keeps numbers as Double only when they are finite.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var numberValue: Double? {
        if case .number(let d) = self { return d }
        return nil
    }

    /// An integral number within Int64 range; nil for 1.5, 1e300, strings.
    public var int64Value: Int64? {
        guard case .number(let d) = self, d.isFinite, d == d.rounded(),
              d >= -9.0e18, d <= 9.0e18 else { return nil }
        return Int64(d)
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }
}

public enum JSONError: Error, Equatable, Sendable {
    case tooLarge
    case tooDeep
    case duplicateKey
    case invalid(offset: Int)
}

public enum JSONParser {
    public static let defaultMaxBytes = 1 << 20
    public static let defaultMaxDepth = 32

    public static func parse(_ bytes: [UInt8], maxBytes: Int = defaultMaxBytes,
                             maxDepth: Int = defaultMaxDepth) -> Result<JSONValue, JSONError> {
        guard bytes.count <= maxBytes else { return .failure(.tooLarge) }
        var p = Parser(bytes: bytes, maxDepth: maxDepth)
        do {
            p.skipWhitespace()
            let v = try p.value(depth: 0)
            p.skipWhitespace()
            guard p.pos == bytes.count else { throw JSONError.invalid(offset: p.pos) }
            return .success(v)
        } catch let e as JSONError {
            return .failure(e)
        } catch {
            return .failure(.invalid(offset: p.pos))
        }
    }

    public static func parse(_ text: String) -> Result<JSONValue, JSONError> {
        parse(Array(text.utf8))
    }

    private struct Parser {
        let bytes: [UInt8]
        let maxDepth: Int
        var pos = 0

        init(bytes: [UInt8], maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        func peek() -> UInt8? { pos < bytes.count ? bytes[pos] : nil }

        mutating func skipWhitespace() {
            while let c = peek(), c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { pos += 1 }
        }

        mutating func expect(_ c: UInt8) throws {
            guard peek() == c else { throw JSONError.invalid(offset: pos) }
            pos += 1
        }

        mutating func literal(_ word: String, _ v: JSONValue) throws -> JSONValue {
            for c in word.utf8 { try expect(c) }
            return v
        }

        /// `depth` is the number of containers around this value; a container opened here is
        /// level depth + 1, and at most `maxDepth` levels are allowed.
        mutating func value(depth: Int) throws -> JSONValue {
            guard let c = peek() else { throw JSONError.invalid(offset: pos) }
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth < maxDepth else { throw JSONError.tooDeep }
                return c == UInt8(ascii: "{") ? try object(depth: depth + 1) : try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw JSONError.invalid(offset: pos)
            }
        }

        mutating func object(depth: Int) throws -> JSONValue {
            try expect(UInt8(ascii: "{"))
            var out: [String: JSONValue] = [:]
            skipWhitespace()
            if peek() == UInt8(ascii: "}") { pos += 1; return .object(out) }
            while true {
                skipWhitespace()
                let key = try string()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
                let v = try value(depth: depth)
                guard out[key] == nil else { throw JSONError.duplicateKey }
                out[key] = v
                skipWhitespace()
                if peek() == UInt8(ascii: ",") { pos += 1; continue }
                try expect(UInt8(ascii: "}"))
                return .object(out)
            }
        }

        mutating func array(depth: Int) throws -> JSONValue {
            try expect(UInt8(ascii: "["))
            var out: [JSONValue] = []
            skipWhitespace()
            if peek() == UInt8(ascii: "]") { pos += 1; return .array(out) }
            while true {
                skipWhitespace()
                out.append(try value(depth: depth))
                skipWhitespace()
                if peek() == UInt8(ascii: ",") { pos += 1; continue }
                try expect(UInt8(ascii: "]"))
                return .array(out)
            }
        }

        mutating func hex4() throws -> UInt32 {
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard let c = peek() else { throw JSONError.invalid(offset: pos) }
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
                default: throw JSONError.invalid(offset: pos)
                }
                v = v << 4 | d
                pos += 1
            }
            return v
        }

        mutating func string() throws -> String {
            try expect(UInt8(ascii: "\""))
            // Most strings have no escape: take them straight from the input.
            let start = pos
            while pos < bytes.count {
                let c = bytes[pos]
                if c == UInt8(ascii: "\"") {
                    pos += 1
                    // Invalid UTF-8 is refused rather than repaired.
                    guard let s = String(validating: bytes[start..<(pos - 1)], as: UTF8.self) else {
                        throw JSONError.invalid(offset: pos)
                    }
                    return s
                }
                if c == UInt8(ascii: "\\") || c < 0x20 { break }
                pos += 1
            }
            var raw = Array(bytes[start..<pos])
            while true {
                guard let c = peek() else { throw JSONError.invalid(offset: pos) }
                pos += 1
                if c == UInt8(ascii: "\"") { break }
                if c < 0x20 { throw JSONError.invalid(offset: pos - 1) }
                if c != UInt8(ascii: "\\") { raw.append(c); continue }
                guard let e = peek() else { throw JSONError.invalid(offset: pos) }
                pos += 1
                switch e {
                case UInt8(ascii: "\""): raw.append(0x22)
                case UInt8(ascii: "\\"): raw.append(0x5C)
                case UInt8(ascii: "/"): raw.append(0x2F)
                case UInt8(ascii: "b"): raw.append(0x08)
                case UInt8(ascii: "f"): raw.append(0x0C)
                case UInt8(ascii: "n"): raw.append(0x0A)
                case UInt8(ascii: "r"): raw.append(0x0D)
                case UInt8(ascii: "t"): raw.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        // A high surrogate must be followed by a low one.
                        try expect(UInt8(ascii: "\\"))
                        try expect(UInt8(ascii: "u"))
                        let low = try hex4()
                        guard low >= 0xDC00 && low < 0xE000 else { throw JSONError.invalid(offset: pos) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        throw JSONError.invalid(offset: pos)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw JSONError.invalid(offset: pos) }
                    raw.append(contentsOf: Array(String(Character(u)).utf8))
                default:
                    throw JSONError.invalid(offset: pos - 1)
                }
            }
            // Invalid UTF-8 is refused rather than repaired.
            guard let s = String(validating: raw, as: UTF8.self) else { throw JSONError.invalid(offset: pos) }
            return s
        }

        mutating func number() throws -> JSONValue {
            let start = pos
            if peek() == UInt8(ascii: "-") { pos += 1 }
            guard let first = peek(), first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else {
                throw JSONError.invalid(offset: pos)
            }
            if first == UInt8(ascii: "0") {
                pos += 1
            } else {
                while let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { pos += 1 }
            }
            if peek() == UInt8(ascii: ".") {
                pos += 1
                var digits = 0
                while let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { pos += 1; digits += 1 }
                guard digits > 0 else { throw JSONError.invalid(offset: pos) }
            }
            if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                pos += 1
                if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { pos += 1 }
                var digits = 0
                while let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { pos += 1; digits += 1 }
                guard digits > 0 else { throw JSONError.invalid(offset: pos) }
            }
            let text = String(decoding: bytes[start..<pos], as: UTF8.self)
            guard let d = Double(text), d.isFinite else { throw JSONError.invalid(offset: start) }
            return .number(d)
        }
    }
}
