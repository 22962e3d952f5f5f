/// Looking for bytes eight at a time (SWAR): a 64-bit word with none of the bytes looked for is
/// passed in a few instructions, and a word that has one is searched byte by byte. On the hot
/// path of token validation (the dots of a compact JWS, the plain runs of JSON strings).
///
/// The word tests never miss a byte: in the lowest lane that holds one, no borrow comes in from
/// the lanes below (they hold none), so its high bit is set. They may flag a lane above a true
/// one, which only means the byte loop runs; it then finds the true one within the word.
enum ByteScan {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether some byte of `word` is below `bound` (at most 0x80).
    @inline(__always)
    static func hasByte(below bound: UInt8, in word: UInt64) -> Bool {
        (word &- ones &* UInt64(bound)) & ~word & highBits != 0
    }

    /// Whether some byte of `word` is `byte`.
    @inline(__always)
    static func hasByte(_ byte: UInt8, in word: UInt64) -> Bool {
        hasByte(below: 1, in: word ^ (ones &* UInt64(byte)))
    }

    /// The high bit of every byte of `word` that ends a plain run of a JSON string: a quote, a
    /// backslash or a control character (below 0x20). Exact per byte (no borrow crosses lanes:
    /// each lane's 7 low bits plus at most 0x7F stay below 0x100), so the lowest set bit is the
    /// first such byte.
    @inline(__always)
    static func stringStops(in word: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        /// High bit set where the byte's low 7 bits are non-zero.
        @inline(__always) func nonZero(_ x: UInt64) -> UInt64 { ((x & low7) &+ low7) | x }
        let quote = ~nonZero(word ^ (ones &* 0x22))
        let backslash = ~nonZero(word ^ (ones &* 0x5C))
        // High bit set where byte >= 0x20: its low 7 bits + 0x60 reach 0x80, or it is >= 0x80.
        let control = ~(((word & low7) &+ (ones &* 0x60)) | word)
        return (quote | backslash | control) & highBits
    }

    /// The 8 bytes at `offset` as one word, first byte lowest. The caller has checked
    /// `offset >= 0` and `offset + 8 <= buffer.count`.
    @inline(__always)
    static func word(_ buffer: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawBufferPointer(buffer).loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Whether every byte of `buffer` is ASCII (below 0x80).
    static func isASCII(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        var seen: UInt64 = 0
        var p = 0
        // p + 8 <= count: the word is inside the buffer.
        while p + 8 <= buffer.count {
            seen |= word(buffer, at: p)
            p += 8
        }
        // p < count: in the buffer.
        while p < buffer.count {
            seen |= UInt64(buffer[p])
            p += 1
        }
        return seen & highBits == 0
    }

    /// The index of the first `byte` in `buffer` at or after `start`; nil if there is none.
    static func firstIndex(of byte: UInt8, in buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start >= 0 else { return nil }
        var p = start
        // p + 8 <= count: the whole word is inside the buffer.
        while p + 8 <= buffer.count, !hasByte(byte, in: word(buffer, at: p)) { p += 8 }
        // p < count: in the buffer.
        while p < buffer.count {
            if buffer[p] == byte { return p }
            p += 1
        }
        return nil
    }

    /// The index of the last `byte` in `buffer`; nil if there is none. (A flagged word holds a
    /// true one, so the byte loop finds it within that word.)
    static func lastIndex(of byte: UInt8, in buffer: UnsafeBufferPointer<UInt8>) -> Int? {
        // No byte at p or after it is `byte`.
        var p = buffer.count
        // p >= 8: the word at p - 8 is inside the buffer.
        while p >= 8, !hasByte(byte, in: word(buffer, at: p - 8)) { p -= 8 }
        // 0 <= p - 1 < count: in the buffer.
        while p > 0 {
            p -= 1
            if buffer[p] == byte { return p }
        }
        return nil
    }
}
