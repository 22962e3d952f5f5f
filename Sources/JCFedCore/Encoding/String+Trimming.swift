extension String {
    /// Without leading and trailing spaces, tabs, CR and LF. Scalar by scalar: in a Swift String
    /// "\r\n" is one Character, which a Character-wise trim of "\r" or "\n" never matches.
    var trimmingSpaces: String {
        var s = unicodeScalars[...]
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\r" || c == "\n" }
        while let f = s.first, isSpace(f) { s = s.dropFirst() }
        while let l = s.last, isSpace(l) { s = s.dropLast() }
        return String(s)
    }
}
