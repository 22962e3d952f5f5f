import Testing
@testable import JCFedCore

/// The one trim of the module and the tool.
@Suite struct TrimmingTests {
    @Test func spacesTabsAndLineEndsGoOnBothSidesOnly() {
        #expect(" \t value with  inside \t\r\n".trimmingSpaces() == "value with  inside")
        #expect("\r\n42\r\n".trimmingSpaces() == "42", "\"\\r\\n\" is one Character; it is trimmed all the same")
        #expect(Substring("  x  ").trimmingSpaces() == "x")
        #expect(" \t\r\n".trimmingSpaces() == "")
        #expect("".trimmingSpaces() == "")
    }

    @Test func otherWhitespaceStays() {
        // Only the blanks configuration files and HTTP headers use; anything else is content.
        #expect("\u{A0}1\u{A0}".trimmingSpaces() == "\u{A0}1\u{A0}")
        #expect("\u{0B}x".trimmingSpaces() == "\u{0B}x")
    }
}
