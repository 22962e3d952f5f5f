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

    @Test func scalarsNextToTheBlanksStayWhole() {
        // The cut is by scalar: a combining mark after a leading blank stays (the blank goes),
        // multi-byte content is never split.
        #expect(" \u{301}é ".trimmingSpaces() == "\u{301}é")
        #expect("\t日本語\r\n".trimmingSpaces() == "日本語")
        #expect("👩‍💻 ".trimmingSpaces() == "👩‍💻")
        let sub = "xx  ü  yy".dropFirst(2).dropLast(2)
        #expect(sub.trimmingSpaces() == "ü")
    }
}

/// The parse splits lines on bytes; they must be the lines a Character-wise split gives.
@Suite struct INILineSplitTests {
    static let texts = [
        "[idp]\r\nurl = https://a/b # c\r\nname = x\r\n",
        "[idp]\nname = a\r\r\nqr = off\r",
        "[idp]\nname = \u{301}x #\u{301}y\nname2 = v\t#c\n\n",
        "# only a comment",
        "",
        "\n\n[mapping]\nfallback = localpart\n[bad\nk = v\n",
        "[idp]\nname = é # ü\r\n[routing]\ngroups = \"a b\", c\n",
        "a\r",
        "a\r\rb\r\n\r\n\r",
    ]

    @Test(arguments: texts) func byteSplitGivesTheCharacterSplitsLines(text: String) {
        let byCharacters = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        #expect(INIFile.lines(text).map(String.init) == byCharacters.map(String.init))
    }

    @Test func firstPairIsFirstRange() {
        for s in ["a #b", "a\t#b #c", "#", " #", "x\u{301} #y", " \u{301}#y", "a# b", ""] {
            #expect(INIFile.firstPair(s, " ", "#") == s.firstRange(of: " #")?.lowerBound)
            #expect(INIFile.firstPair(s, "\t", "#") == s.firstRange(of: "\t#")?.lowerBound)
        }
    }
}
