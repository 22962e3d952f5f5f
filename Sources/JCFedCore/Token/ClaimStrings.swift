/// A claim that is a JSON array of strings (`groups`), kept as the token holds it until its
/// Strings are asked for. The module never reads `groups` (only `jcfed idp test --user` counts
/// them), and Entra puts up to 200 group ids in an ID token: made into Strings on every
/// validation, they would cost more than the signature check. The claim's type was checked when the token was
/// read (every item a string, valid UTF-8), so reading the items cannot fail.
struct ClaimStrings: Sendable, Equatable {
    private enum Storage: Sendable {
        case strings([String])
        /// The array's text `list` (`[` to `]`) in the decoded payload: items without escapes
        /// (JSONSlot.strings), read by JSONSlot.items.
        case items(document: [UInt8], list: Range<Int>)
    }

    private let storage: Storage

    init(_ strings: [String] = []) {
        storage = .strings(strings)
    }

    /// `list` must be a range of `document` that JSONScanner made a `.strings` slot of.
    init(document: [UInt8], list: Range<Int>) {
        storage = .items(document: document, list: list)
    }

    var strings: [String] {
        switch storage {
        case .strings(let strings):
            return strings
        case .items(let document, let list):
            var items: [String] = []
            JSONSlot.items(of: list, in: document) { items.append(String(decoding: document[$0], as: UTF8.self)) }
            return items
        }
    }

    static func == (a: ClaimStrings, b: ClaimStrings) -> Bool {
        a.strings == b.strings
    }
}
