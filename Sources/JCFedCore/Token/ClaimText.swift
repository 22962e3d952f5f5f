/// A string member of a token's header or claims as the token holds it: its bytes in the
/// decoded segment (so comparing `iss`, `tid`, `aud` or `kid` builds no String), or a String
/// (a value that had escapes, or claims made from a dictionary). `string` builds the String.
public struct ClaimText: Sendable {
    private let bytes: ArraySlice<UInt8>
    private let text: String?

    /// Already-checked UTF-8 (JSONScanner refuses invalid UTF-8 before a slot is made).
    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.text = nil
    }

    init(_ text: String) {
        self.bytes = []
        self.text = text
    }

    public var string: String { text ?? String(decoding: bytes, as: UTF8.self) }

    public var isEmpty: Bool { text?.isEmpty ?? bytes.isEmpty }

    /// Whether this is `other` as Swift's `==` on Strings says (canonical equivalence). The same
    /// bytes always are; different bytes that are all ASCII never are (ASCII text has one form);
    /// anything else is decided by building the String.
    public func isSame(as other: String) -> Bool {
        if let text { return text == other }
        switch compareBytes(other) {
        case .same: return true
        case .differentASCII: return false
        case .undecided: return string == other
        }
    }

    private enum ByteComparison { case same, differentASCII, undecided }

    /// Byte comparison with `other`'s UTF-8, on the contiguous storage both have.
    private func compareBytes(_ other: String) -> ByteComparison {
        let compared = other.utf8.withContiguousStorageIfAvailable { expected in
            bytes.withUnsafeBufferPointer { actual -> ByteComparison in
                if expected.count == actual.count {
                    var i = 0
                    // Eight bytes at a time while i + 8 <= count (the counts are equal: inside both).
                    while i + 8 <= actual.count, ByteScan.word(actual, at: i) == ByteScan.word(expected, at: i) {
                        i += 8
                    }
                    // i < count: inside both.
                    while i < actual.count, actual[i] == expected[i] { i += 1 }
                    if i == actual.count { return .same }
                }
                return ByteScan.isASCII(actual) && ByteScan.isASCII(expected) ? .differentASCII : .undecided
            }
        }
        return compared ?? .undecided
    }

    /// The bytes of this text, for the few byte-level matches (IssuerPolicy's template).
    func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if var text { return text.withUTF8(body) }
        return bytes.withUnsafeBufferPointer(body)
    }
}
