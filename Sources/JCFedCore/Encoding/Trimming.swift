extension StringProtocol {
    /// Without leading and trailing spaces, tabs, CRs and LFs: the one trim of the module and
    /// the tool (configuration lines, secret and key files, header values). Scalar by scalar:
    /// in a Swift String "\r\n" is one Character, which a Character-wise trim of "\r" or "\n"
    /// never matches.
    public func trimmingSpaces() -> String {
        var s = unicodeScalars[...]
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\r" || c == "\n" }
        while let f = s.first, isSpace(f) { s = s.dropFirst() }
        while let l = s.last, isSpace(l) { s = s.dropLast() }
        return String(String.UnicodeScalarView(s))
    }
}
