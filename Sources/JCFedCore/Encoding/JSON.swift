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
        var p = JSONScanner(bytes: bytes, range: 0..<bytes.count, maxDepth: maxDepth)
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

    /// The members named in `wanted` of the JSON object in `bytes[range]`, as `JSONSlot`s in the
    /// order of `wanted` (the token's header and claims). Every other member is checked exactly
    /// as `parse` checks it (syntax, escapes, UTF-8, finite numbers, depth, duplicate keys at
    /// every level) but never built, so a document is refused here exactly when `parse` refuses
    /// it or it is not an object; scalars and unescaped strings are not built either (a string
    /// is a range of `bytes`).
    static func memberSlots(of bytes: [UInt8], in range: Range<Int>, wanted: JSONMemberNames,
                            maxBytes: Int = defaultMaxBytes,
                            maxDepth: Int = defaultMaxDepth) -> Result<JSONMembers, JSONError> {
        var p = JSONScanner(bytes: bytes, range: range, maxDepth: maxDepth)
        return p.object(in: range, wanted: wanted, maxBytes: maxBytes)
    }

    /// `memberSlots` of two objects of `bytes` (a token's header and payload) read by one
    /// scanner, so its key records are made once. The second is read only if the first was
    /// found; each result is exactly what `memberSlots` gives for that range alone.
    static func memberSlots(of bytes: [UInt8], in first: Range<Int>, wanted firstNames: JSONMemberNames,
                            then second: Range<Int>, wanted secondNames: JSONMemberNames,
                            maxBytes: Int = defaultMaxBytes, maxDepth: Int = defaultMaxDepth)
        -> (first: Result<JSONMembers, JSONError>, second: Result<JSONMembers, JSONError>?) {
        var p = JSONScanner(bytes: bytes, range: first, maxDepth: maxDepth)
        let one = p.object(in: first, wanted: firstNames, maxBytes: maxBytes)
        guard case .success = one else { return (one, nil) }
        return (one, p.object(in: second, wanted: secondNames, maxBytes: maxBytes))
    }
}

extension JSONScanner {
    /// The whole of `bytes[range]` as one object's wanted members (what `memberSlots` gives).
    /// The scanner is pointed at `range` first, so one scanner reads several ranges in turn
    /// (its key records are empty between objects: every object drops its own when it ends).
    mutating func object(in range: Range<Int>, wanted: JSONMemberNames, maxBytes: Int) -> Result<JSONMembers, JSONError> {
        guard range.count <= maxBytes, range.lowerBound >= 0, range.upperBound <= bytes.count else {
            return .failure(.tooLarge)
        }
        pos = range.lowerBound
        end = range.upperBound
        do {
            skipWhitespace()
            let found = try topLevelMembers(wanted)
            skipWhitespace()
            guard pos == range.upperBound else { throw JSONError.invalid(offset: pos) }
            return .success(found)
        } catch let e as JSONError {
            return .failure(e)
        } catch {
            return .failure(.invalid(offset: pos))
        }
    }
}

/// The one byte-level JSON reader: `parse` builds values with it, `members` reads an object's
/// wanted members with it and checks the rest without building them. Both share every rule.
struct JSONScanner {
    /// Where a scanned string's decoded bytes are: a range of the input (it had no escape)
    /// or `scratch`.
    enum StringBytes {
        case input(Range<Int>)
        case scratch
    }

    let bytes: [UInt8]
    /// Where the document ends (at most `bytes.count`; `object(in:)` moves it to its range).
    var end: Int
    let maxDepth: Int
    var pos: Int
    /// Decoded bytes of strings with escapes (reused, so escapes cost no allocation each).
    private var scratch: [UInt8] = []
    /// The keys of the objects being read, for duplicate detection without a dictionary, one
    /// record per key, innermost object last; an object's keys are dropped when it closes.
    private var keys: [Key] = []
    /// The decoded bytes of keys that had escapes (a key without one stays in the input).
    private var keyBytes: [UInt8] = []

    /// Where a key's decoded bytes are (`bytes`, or `keyBytes` when `copied`), and their
    /// fingerprint (`fingerprint`): only keys with the same one are compared byte by byte.
    struct Key {
        var range: Range<Int>
        var fingerprint: UInt64
        var copied: Bool
    }

    init(bytes: [UInt8], range: Range<Int>, maxDepth: Int) {
        self.bytes = bytes
        self.end = min(range.upperBound, bytes.count)
        self.maxDepth = maxDepth
        self.pos = range.lowerBound
    }

    @inline(__always)
    func peek() -> UInt8? { pos < end ? bytes[pos] : nil }

    @inline(__always)
    mutating func skipWhitespace() {
        // Anything above 0x20 (every token byte) ends it at the first test.
        while let c = peek(), c <= 0x20, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { pos += 1 }
    }

    @inline(__always)
    mutating func expect(_ c: UInt8) throws {
        guard peek() == c else { throw JSONError.invalid(offset: pos) }
        pos += 1
    }

    mutating func literal(_ word: StaticString) throws {
        let utf8 = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for c in utf8 { try expect(c) }
    }

    // MARK: Building values (`JSONParser.parse`, and wanted members)

    /// `depth` is the number of containers around this value; a container opened here is
    /// level depth + 1, and at most `maxDepth` levels are allowed.
    mutating func value(depth: Int) throws -> JSONValue {
        guard let c = peek() else { throw JSONError.invalid(offset: pos) }
        switch c {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < maxDepth else { throw JSONError.tooDeep }
            return c == UInt8(ascii: "{") ? try object(depth: depth + 1) : try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
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

    mutating func string() throws -> String {
        switch try scanString() {
        case .input(let range): return String(decoding: bytes[range], as: UTF8.self)
        case .scratch: return String(decoding: scratch, as: UTF8.self)
        }
    }

    // MARK: Checking without building (`JSONParser.memberSlots`)

    /// The top-level object: wanted members built, the others checked and skipped.
    mutating func topLevelMembers(_ wanted: JSONMemberNames) throws -> JSONMembers {
        // Reserved and appended rather than Array(repeating:count:), which looks up the
        // storage type at run time on every call.
        var found: [JSONSlot] = []
        found.reserveCapacity(wanted.count)
        for _ in 0..<wanted.count { found.append(.absent) }
        var built: [JSONValue] = []
        guard peek() == UInt8(ascii: "{") else { throw JSONError.invalid(offset: pos) }
        guard 0 < maxDepth else { throw JSONError.tooDeep }
        // Room for the key records up front, so they are not regrown key by key (a token has
        // a few dozen members; more only regrow).
        keys.reserveCapacity(32)
        try members(depth: 1) { scanner, key in
            let index = key.copied
                ? wanted.index(of: key.range, fingerprint: key.fingerprint, in: scanner.keyBytes)
                : wanted.index(of: key.range, fingerprint: key.fingerprint, in: scanner.bytes)
            guard let slot = index else {
                try scanner.skipValue(depth: 1)
                return true
            }
            // A wanted name needs no key record: it was seen before exactly when its slot is
            // filled (a slot is never `.absent` once read). Refused after its value, as a record would be.
            let value = try scanner.slot(depth: 1, built: &built)
            guard case .absent = found[slot] else { throw JSONError.duplicateKey }
            found[slot] = value
            return false
        }
        return JSONMembers(slots: found, built: built)
    }

    /// A wanted member's value: scalars and strings without escapes as they are, anything else
    /// built by `value` (which also refuses what is not a value, at the same offset).
    mutating func slot(depth: Int, built: inout [JSONValue]) throws -> JSONSlot {
        guard let c = peek() else { throw JSONError.invalid(offset: pos) }
        switch c {
        case UInt8(ascii: "\""):
            switch try scanString() {
            case .input(let range): return .text(range)
            case .scratch:
                built.append(.string(String(decoding: scratch, as: UTF8.self)))
                return .built(built.count - 1)
            }
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default:
            if let list = plainStringList(depth: depth) { return .strings(list) }
            built.append(try value(depth: depth))
            return .built(built.count - 1)
        }
    }

    /// At a `[`: the array's range when its items are all strings without escapes (a token's
    /// `groups`), so nothing is built for it. Otherwise nil, with `pos` back at the `[` and
    /// nothing else changed that matters: the caller then reads it with `value`, which gives
    /// every verdict (depth, syntax, strings) and error offset `parse` gives.
    mutating func plainStringList(depth: Int) -> Range<Int>? {
        let start = pos
        // `value` refuses a container at this depth (tooDeep): leave that to it.
        guard depth < maxDepth, peek() == UInt8(ascii: "[") else { return nil }
        pos += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            pos += 1
            return start..<pos
        }
        while true {
            skipWhitespace()
            // An item with an escape (kept in `scratch`) or any error: `value` reads it all again.
            guard peek() == UInt8(ascii: "\""), case .input? = try? scanString() else {
                pos = start
                return nil
            }
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                pos += 1
                continue
            }
            guard peek() == UInt8(ascii: "]") else {
                pos = start
                return nil
            }
            pos += 1
            return start..<pos
        }
    }

    mutating func skipValue(depth: Int) throws {
        guard let c = peek() else { throw JSONError.invalid(offset: pos) }
        switch c {
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw JSONError.tooDeep }
            try members(depth: depth + 1) { scanner, _ in
                try scanner.skipValue(depth: depth + 1)
                return true
            }
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw JSONError.tooDeep }
            try expect(UInt8(ascii: "["))
            skipWhitespace()
            if peek() == UInt8(ascii: "]") { pos += 1; return }
            while true {
                skipWhitespace()
                try skipValue(depth: depth + 1)
                skipWhitespace()
                if peek() == UInt8(ascii: ",") { pos += 1; continue }
                try expect(UInt8(ascii: "]"))
                return
            }
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try number()
        default: throw JSONError.invalid(offset: pos)
        }
    }

    /// An object whose keys are kept in `keys` (not a dictionary); `member` reads each value,
    /// given the key. A key seen twice is `duplicateKey`, after its value, as in `object`.
    /// `member` returns false for a key it checks for duplicates itself (a wanted name): such a
    /// key gets no record, and can only equal another key that is also checked there.
    @inline(__always)
    private mutating func members(depth: Int, _ member: (inout JSONScanner, Key) throws -> Bool) throws {
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { pos += 1; return }
        let firstKey = keys.count
        let firstByte = keyBytes.count
        /// One bit (of 64, chosen by the fingerprint) per key of this object seen so far.
        var seen: UInt64 = 0
        defer {
            keys.removeLast(keys.count - firstKey)
            keyBytes.removeLast(keyBytes.count - firstByte)
        }
        while true {
            skipWhitespace()
            let key = try scanKey()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            if try member(&self, key) {
                // Keys of this object compared only if one had this fingerprint's bit in `seen`
                // (a nested object's keys were dropped when it closed: this object's are from firstKey).
                let bit: UInt64 = 1 << (UInt64(truncatingIfNeeded: JSONScanner.spread(key.fingerprint)) >> 58)
                if seen & bit != 0 {
                    for i in firstKey..<keys.count where keys[i].fingerprint == key.fingerprint {
                        if sameKey(keys[i], key) { throw JSONError.duplicateKey }
                    }
                }
                seen |= bit
                keys.append(key)
            }
            skipWhitespace()
            if peek() == UInt8(ascii: ",") { pos += 1; continue }
            try expect(UInt8(ascii: "}"))
            return
        }
    }

    /// A key and its fingerprint. The usual key (at most `shortKey` ASCII bytes, no escape) is
    /// read from one word: its bytes are the fingerprint. Any other is read by `scanString`
    /// (which refuses what it must, at its usual offset) and fingerprinted from its bytes.
    private mutating func scanKey() throws -> Key {
        let start = pos + 1
        if pos >= 0, pos < end, start + 8 <= end, end <= bytes.count, bytes[pos] == UInt8(ascii: "\"") {
            let word = bytes.withUnsafeBufferPointer { ByteScan.word($0, at: start) }
            let stops = ByteScan.stringStops(in: word)
            // The first stop within the word, a quote, after ASCII bytes only: the whole key.
            let length = stops.trailingZeroBitCount / 8
            if stops != 0, length <= JSONScanner.shortKey, bytes[start + length] == UInt8(ascii: "\"") {
                let key = word & ((1 << (UInt64(length) * 8)) &- 1)
                if key & ByteScan.highBits == 0 {
                    pos = start + length + 1
                    return Key(range: start..<(start + length),
                               fingerprint: key | UInt64(length) << 56, copied: false)
                }
            }
        }
        switch try scanString() {
        case .input(let range):
            return Key(range: range, fingerprint: JSONScanner.fingerprint(bytes, range), copied: false)
        case .scratch:
            let begin = keyBytes.count
            keyBytes.append(contentsOf: scratch)
            let range = begin..<keyBytes.count
            return Key(range: range, fingerprint: JSONScanner.fingerprint(keyBytes, range), copied: true)
        }
    }

    /// Whether two keys have the same decoded bytes, wherever each is.
    private func sameKey(_ a: Key, _ b: Key) -> Bool {
        switch (a.copied, b.copied) {
        case (false, false): return JSONScanner.equal(bytes, a.range, bytes, b.range)
        case (false, true): return JSONScanner.equal(bytes, a.range, keyBytes, b.range)
        case (true, false): return JSONScanner.equal(keyBytes, a.range, bytes, b.range)
        case (true, true): return JSONScanner.equal(keyBytes, a.range, keyBytes, b.range)
        }
    }

    /// Keys up to this length are their own fingerprint (below).
    static let shortKey = 7

    /// A key's fingerprint: equal keys have equal fingerprints, so only keys whose fingerprints
    /// match are compared byte by byte. A key of at most `shortKey` bytes is its bytes (first
    /// byte lowest) with its length in the top byte: exact, so a short key matches a wanted
    /// name of its length by fingerprint alone, and `scanKey` makes it from the word it reads.
    /// A longer key: FNV-1a of its bytes, with its length.
    static func fingerprint(_ buffer: [UInt8], _ range: Range<Int>) -> UInt64 {
        guard range.lowerBound >= 0, range.upperBound <= buffer.count else { return 0 }
        if range.count <= shortKey {
            var packed: UInt64 = 0
            for i in range { packed |= UInt64(buffer[i]) << (UInt64(i - range.lowerBound) * 8) }
            return packed | UInt64(range.count) << 56
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in range {
            hash = (hash ^ UInt64(buffer[i])) &* 0x0000_0100_0000_01b3
        }
        return hash ^ UInt64(truncatingIfNeeded: range.count)
    }

    /// A fingerprint's bits spread over the word (a short key's are its first bytes, alike in
    /// many keys): the table index is its low bits, the `seen` bit its top six.
    @inline(__always)
    static func spread(_ fingerprint: UInt64) -> Int {
        let mixed = fingerprint &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed ^ (mixed >> 29))
    }

    /// Whether `first[a]` and `second[b]` hold the same bytes (false for a range outside its
    /// array): keys compared here and by JSONMemberNames.
    static func equal(_ first: [UInt8], _ a: Range<Int>, _ second: [UInt8], _ b: Range<Int>) -> Bool {
        guard a.count == b.count, a.lowerBound >= 0, b.lowerBound >= 0,
              a.upperBound <= first.count, b.upperBound <= second.count else { return false }
        var i = a.lowerBound
        var j = b.lowerBound
        while i < a.upperBound {
            if first[i] != second[j] { return false }
            i += 1
            j += 1
        }
        return true
    }

    // MARK: Strings and numbers (shared)

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

    /// Reads and checks one string (escapes, no control characters, valid UTF-8: invalid
    /// UTF-8 is refused rather than repaired) and says where its decoded bytes are.
    mutating func scanString() throws -> StringBytes {
        try expect(UInt8(ascii: "\""))
        // Most strings have no escape: they stay where they are in the input.
        let start = pos
        var nonASCII = false
        pos = plainRun(from: pos, nonASCII: &nonASCII)
        if pos < end && bytes[pos] == UInt8(ascii: "\"") {
            pos += 1
            guard !nonASCII || JSONScanner.isValidUTF8(bytes, start..<(pos - 1)) else {
                throw JSONError.invalid(offset: pos)
            }
            return .input(start..<(pos - 1))
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: bytes[start..<pos])
        while true {
            guard let c = peek() else { throw JSONError.invalid(offset: pos) }
            pos += 1
            if c == UInt8(ascii: "\"") { break }
            if c < 0x20 { throw JSONError.invalid(offset: pos - 1) }
            if c != UInt8(ascii: "\\") {
                if c >= 0x80 { nonASCII = true }
                scratch.append(c)
                continue
            }
            guard let e = peek() else { throw JSONError.invalid(offset: pos) }
            pos += 1
            switch e {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
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
                // A complete UTF-8 sequence of its own; raw bytes around it are checked below.
                UTF8.encode(u) { scratch.append($0) }
            default:
                throw JSONError.invalid(offset: pos - 1)
            }
        }
        guard !nonASCII || JSONScanner.isValidUTF8(scratch, 0..<scratch.count) else {
            throw JSONError.invalid(offset: pos)
        }
        return .scratch
    }

    /// Where the run of string bytes that need no attention (no quote, backslash or control
    /// character) starting at `from` ends; `end` at the latest. Most strings are one run.
    /// Eight bytes at a time (ByteScan.stringStops finds the first stop in a word exactly),
    /// byte by byte only for the last few bytes of the document.
    private func plainRun(from: Int, nonASCII: inout Bool) -> Int {
        bytes.withUnsafeBufferPointer { whole in
            // Only bytes before `end` are looked at: the buffer is cut there (end <= count).
            let buffer = UnsafeBufferPointer(rebasing: whole[0..<max(0, min(end, whole.count))])
            var p = max(from, 0)
            var high: UInt64 = 0
            // p + 8 <= count: the word is inside the buffer.
            while p + 8 <= buffer.count {
                let word = ByteScan.word(buffer, at: p)
                let stops = ByteScan.stringStops(in: word)
                if stops != 0 {
                    // Only the bytes before the first stop count towards `nonASCII`.
                    let before = stops.trailingZeroBitCount / 8
                    high |= word & ((1 << (UInt64(before) * 8)) &- 1)
                    if high & ByteScan.highBits != 0 { nonASCII = true }
                    return p + before
                }
                high |= word
                p += 8
            }
            // p < count: in the buffer.
            while p < buffer.count {
                let c = buffer[p]
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 { break }
                high |= UInt64(c)
                p += 1
            }
            if high & ByteScan.highBits != 0 { nonASCII = true }
            return p
        }
    }

    /// Well-formed UTF-8 (Unicode Table 3-7): no overlong forms, no surrogates, nothing above
    /// U+10FFFF, no truncated sequence. The same verdict as `String(validating:as:)`.
    static func isValidUTF8(_ b: [UInt8], _ range: Range<Int>) -> Bool {
        guard range.lowerBound >= 0, range.upperBound <= b.count else { return false }
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            func continuation(_ k: Int) -> Bool { i + k < end && b[i + k] & 0xC0 == 0x80 }
            switch c {
            case 0xC2...0xDF:
                guard continuation(1) else { return false }
                i += 2
            case 0xE0...0xEF:
                guard i + 2 < end else { return false }
                let low: UInt8 = c == 0xE0 ? 0xA0 : 0x80
                let high: UInt8 = c == 0xED ? 0x9F : 0xBF
                guard b[i + 1] >= low, b[i + 1] <= high, continuation(2) else { return false }
                i += 3
            case 0xF0...0xF4:
                guard i + 3 < end else { return false }
                let low: UInt8 = c == 0xF0 ? 0x90 : 0x80
                let high: UInt8 = c == 0xF4 ? 0x8F : 0xBF
                guard b[i + 1] >= low, b[i + 1] <= high, continuation(2), continuation(3) else { return false }
                i += 4
            default:
                return false
            }
        }
        return true
    }

    mutating func number() throws -> Double {
        let start = pos
        var negative = false
        if peek() == UInt8(ascii: "-") { pos += 1; negative = true }
        guard let first = peek(), first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else {
            throw JSONError.invalid(offset: pos)
        }
        let digitsStart = pos
        // The integer part's value, read as its digits are scanned (one pass). Wrapping
        // arithmetic: it is used only for at most 15 digits (below 10^15, no wrap), see below.
        var integer: UInt64 = 0
        if first == UInt8(ascii: "0") {
            pos += 1
        } else {
            while let c = peek() {
                let digit = c &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                integer = integer &* 10 &+ UInt64(digit)
                pos += 1
            }
        }
        let integerEnd = pos
        var integral = true
        if peek() == UInt8(ascii: ".") {
            integral = false
            pos += 1
            var digits = 0
            while let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { pos += 1; digits += 1 }
            guard digits > 0 else { throw JSONError.invalid(offset: pos) }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            integral = false
            pos += 1
            if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { pos += 1 }
            var digits = 0
            while let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { pos += 1; digits += 1 }
            guard digits > 0 else { throw JSONError.invalid(offset: pos) }
        }
        // A plain integer of at most 15 digits is exact in a Double (times like exp, iat):
        // no text conversion.
        if integral && integerEnd - digitsStart <= 15 {
            let d = Double(integer)
            return negative ? -d : d
        }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        guard let d = Double(text), d.isFinite else { throw JSONError.invalid(offset: start) }
        return d
    }
}
