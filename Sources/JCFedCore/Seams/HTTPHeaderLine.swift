/// One response header line as libcurl hands it over, CRLF included. Parsed on bytes: header
/// names are ASCII tokens (RFC 9110), and the transport runs this for every header of every
/// response (as Characters it cost about 6,000 instructions a line).
public enum HTTPHeaderLine: Equatable, Sendable {
    /// "HTTP/...": a new response begins (after a 100-continue), its headers replace any before.
    case statusLine
    /// A field: the name lower-cased (ASCII letters only; a name is a token), the value without
    /// the spaces, tabs and line end around it.
    case field(name: String, value: String)
    /// No colon: the blank line that ends the headers, or nothing a header can be.
    case other

    /// The callback's buffer, copied first: an Array's indexing is checked, a raw buffer's is not.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> HTTPHeaderLine {
        parse(Array(bytes))
    }

    public static func parse(_ line: [UInt8]) -> HTTPHeaderLine {
        if line.starts(with: "HTTP/".utf8) { return .statusLine }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return .other }
        let name = line[..<colon].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        let value = Trim.trimmed(line, (colon + 1)..<line.count)
        return .field(name: String(decoding: name, as: UTF8.self), value: String(decoding: line[value], as: UTF8.self))
    }
}
