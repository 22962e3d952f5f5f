import Testing
@testable import JCFedCore

/// The INI tokenizer reads an ASCII line on its bytes and any other line by Characters; on
/// ASCII both must say the same about every line.
@Suite struct INIClassifyTests {
    static let alphabet: [Character] = [" ", "\t", "\r", "#", ";", "[", "]", "=", "a", "Z", "k", "0", ".", "_", "-",
                                        "/", "\"", "\u{01}", "\u{7f}", "\u{1b}"]

    @Test func asciiLinesReadOnBytesAsByCharacters() {
        var seeded = SplitMix(seed: 0x1_4E1)
        var lines = ["", " ", "[idp]", " [ IdP ] ", "[]", "[ ]", "[", "]", "url = https://x/y # note", "key=", "=v",
                     " KEY = Value\t# c", "k = # note", "k = a#b", "k = a \t # b # c", "k = a\t#b", "k = a #b\t#c",
                     "; comment", "# comment", "k = \"a\"  ", "\r", "k = v\r", "[sec]\r", "k\t=\tv", "[a]]", "[[a]"]
        for _ in 0..<20_000 {
            let length = Int(seeded.next() % 24)
            lines.append(String((0..<length).map { _ in Self.alphabet[Int(seeded.next() % UInt64(Self.alphabet.count))] }))
        }
        for line in lines {
            let bytes = INIFile.classifyASCII(line)
            #expect(bytes == INIFile.classifyCharacters(line), "\(line.debugDescription)")
            #expect(bytes == INIFile.classify(line))
            let padded = "x" + line + "y"
            let inner = padded.dropFirst().dropLast()
            #expect(INIFile.classifyASCII(inner) == INIFile.classifyCharacters(inner), "\(line.debugDescription)")
        }
    }

    @Test func otherLinesAreReadByCharacters() {
        for line in ["k = caf\u{e9}", "[s\u{e9}c]", "k\u{301} = v", "k =\u{301} v", "n = \u{85}", "k = v \u{2028}"] {
            #expect(INIFile.classifyASCII(line) == nil)
            #expect(INIFile.classify(line) == INIFile.classifyCharacters(line))
        }
    }
}
