/// Text searched and split on its UTF-8 bytes, for needles and separators that are ASCII.
/// Why not Characters: a Character-wise split or search runs Unicode's grapheme breaking over
/// every byte (a tenth of the not-federated decision's instructions went to splitting paths on
/// "/"), and String.contains(String) lives in _StringProcessing (below). On bytes, a separator
/// or needle followed by a combining mark still counts, which Characters would not: a path
/// "/a/../\u{301}b" has a ".." component for the kernel and on bytes, but not by Characters.
extension StringProtocol {
    /// Whether `needle`'s UTF-8 bytes occur in this text's UTF-8 bytes (an empty needle always
    /// does). Why not the standard library's `contains(_:)` for strings: it lives in
    /// _StringProcessing, and one call to it links that library and the regex engine under it
    /// into the PAM module, 1.4 MB of code and ~3,100 relocations that every sudo and ssh pays
    /// when libpam loads the module (bench/results.md, row 1). The module's targets are compiled
    /// without the implicit import of _StringProcessing (Package.swift), so it cannot come back
    /// unnoticed. Its callers (a guest's #EXT#, an @ in a host) are stricter on bytes (above).
    public func containsBytes(_ needle: String) -> Bool {
        let pin = Array(needle.utf8)
        guard let first = pin.first else { return true }
        let hay = Array(utf8)
        guard hay.count >= pin.count else { return false }
        var start = 0
        while start <= hay.count - pin.count {
            if hay[start] == first, hay[start..<(start + pin.count)].elementsEqual(pin) { return true }
            start += 1
        }
        return false
    }

    /// `hasPrefix(prefix)`, with the same answer, but on bytes when that answer cannot depend on
    /// Unicode: while both are ASCII, and the text's next byte is ASCII too or there is none (an
    /// ASCII scalar never joins the Character before it, apart from CR LF, which falls back).
    /// Why: `hasPrefix` asks whether the prefix ends on a Character boundary of the text, and
    /// that check is Unicode's grapheme breaking, code and tables that every login process
    /// otherwise maps for a "/" or an "https://" (bench/results.md, round 9). Anything else
    /// (a non-ASCII byte within reach, a prefix ending in CR) is answered by `hasPrefix` itself.
    @inlinable
    public func startsWithASCII(_ prefix: String) -> Bool {
        var text = utf8.makeIterator()
        for p in prefix.utf8 {
            guard p < 0x80, p != 0x0d else { return hasPrefix(prefix) }
            guard let b = text.next() else { return false }
            guard b < 0x80 else { return hasPrefix(prefix) }
            if b != p { return false }
        }
        guard let next = text.next() else { return true }
        return next < 0x80 || hasPrefix(prefix)
    }
}

extension String {
    /// The pieces between bytes that `isSeparator` picks (ASCII ones: a piece never starts or
    /// ends inside a scalar), like `split(omittingEmptySubsequences:whereSeparator:)` on
    /// Characters.
    func splitBytes(omittingEmpty: Bool = true, where isSeparator: (UInt8) -> Bool) -> [Substring] {
        utf8.split(omittingEmptySubsequences: omittingEmpty, whereSeparator: isSeparator).map { Substring($0) }
    }

    /// The pieces between `separator` bytes (an ASCII byte).
    func splitBytes(_ separator: UInt8, omittingEmpty: Bool = true) -> [Substring] {
        splitBytes(omittingEmpty: omittingEmpty, where: { $0 == separator })
    }
}
