extension StringProtocol {
    /// Without leading and trailing spaces, tabs, CRs and LFs: the one trim of the module and
    /// the tool (configuration lines, secret and key files, header values). Byte by byte on the
    /// UTF-8 view: the four are one-byte scalars, so the cut is always at a scalar boundary, and
    /// in a Swift String "\r\n" is one Character, which a Character-wise trim of "\r" or "\n"
    /// never matches. (Every configuration line goes through here on every login, so it must not
    /// rebuild the String scalar by scalar.)
    public func trimmingSpaces() -> String {
        let bytes = utf8
        let isSpace = Trim.isSpace
        var low = bytes.startIndex
        while low < bytes.endIndex, isSpace(bytes[low]) { low = bytes.index(after: low) }
        // One pass forward (a generic StringProtocol's UTF-8 view is only a Collection).
        var high = low
        var i = low
        while i < bytes.endIndex {
            let next = bytes.index(after: i)
            if !isSpace(bytes[i]) { high = next }
            i = next
        }
        return String(decoding: bytes[low..<high], as: UTF8.self)
    }
}

/// The one trim's blanks, for readers that work on bytes already (the INI tokenizer's ASCII lines).
enum Trim {
    /// Space, tab, CR and LF: what `trimmingSpaces` removes.
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }

    /// `range` of `bytes` without those blanks at either end (`range` must lie within `bytes`).
    static func trimmed(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var low = range.lowerBound
        var high = range.upperBound
        while low < high, isSpace(bytes[low]) { low += 1 }
        while high > low, isSpace(bytes[high - 1]) { high -= 1 }
        return low..<high
    }
}
