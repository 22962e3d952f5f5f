/// Checks on text that came from the network before it is used; the cleaning itself is SafeText's.
///
/// The IdP's `message`, the user code and the URL are drawn on the person's terminal through the
/// PAM conversation: an escape sequence in them could rewrite the screen (or a bidi override
/// could disguise the URL), so codes and URLs must be plain printable ASCII, and the message goes
/// through `SafeText.forPerson`.
enum DisplayText {
    /// True for a non-empty string of printable ASCII without spaces, at most `max` bytes:
    /// the shape of user codes, device codes and URLs.
    static func isPrintableToken(_ s: String, max: Int) -> Bool {
        !s.isEmpty && s.utf8.count <= max && s.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
