/// Small String helpers the tool needs without Foundation.
extension String {
    /// Lines split on "\n" and "\r\n" (as the core's INIFile reads them), without a final empty
    /// line for a trailing line end; and the line end to write them back with.
    package func splitLines() -> (lines: [String], ending: String) {
        var lines = split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return (lines, contains("\r\n") ? "\r\n" : "\n")
    }

    /// Replaces every occurrence (no Foundation).
    package func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound] + replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }

    package func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }

    /// Left-padded with `fill` to at least `width` characters.
    package func leftPadded(to width: Int, with fill: Character = "0") -> String {
        count >= width ? self : String(repeating: fill, count: width - count) + self
    }
}
