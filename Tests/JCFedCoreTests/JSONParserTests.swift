import Testing
@testable import JCFedCore

@Suite struct JSONParserTests {
    @Test func parsesNestedValues() throws {
        let v = try JSONParser.parse(#"{"a":[1,true,null,"x\u00e9"],"b":{"c":-1.5e2}}"#).get()
        #expect(v["a"]?.arrayValue?.count == 4)
        #expect(v["a"]?.arrayValue?[3].stringValue == "xé")
        #expect(v["b"]?["c"]?.numberValue == -150)
    }

    @Test func rejectsDuplicateKeys() {
        #expect(JSONParser.parse(#"{"aud":"a","aud":"b"}"#) == .failure(.duplicateKey))
    }

    @Test func rejectsTrailingGarbageAndDepth() {
        if case .success = JSONParser.parse("{} x") { Issue.record("trailing garbage accepted") }
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(JSONParser.parse(deep) == .failure(.tooDeep))
    }

    @Test func rejectsLoneSurrogate() {
        if case .success = JSONParser.parse(#""\ud800""#) { Issue.record("lone surrogate accepted") }
    }
}

/// Numbers, escapes, UTF-8, depth and size: what a strict parser must refuse.
@Suite struct JSONParserStrictnessTests {
    func parsed(_ s: String) -> JSONValue? { try? JSONParser.parse(s).get() }
    func parsed(_ bytes: [UInt8]) -> JSONValue? { try? JSONParser.parse(bytes).get() }

    @Test(arguments: [
        ("0", 0.0), ("-0", -0.0), ("1", 1), ("-12", -12), ("3.25", 3.25), ("1e3", 1000), ("1E+2", 100),
        ("2.5e-1", 0.25), ("1700000000", 1_700_000_000), ("9007199254740993", 9_007_199_254_740_992),
    ])
    func validNumbers(_ text: String, _ value: Double) {
        #expect(parsed(text)?.numberValue == value)
    }

    @Test(arguments: ["01", "-", "+1", ".5", "1.", "1e", "1e+", "0x10", "NaN", "Infinity", "-Infinity",
                      "1e400", "-1e400", "--1", "1.2.3", "١"])
    func invalidNumbers(_ text: String) {
        #expect(parsed(text) == nil)
        #expect(parsed("[\(text)]") == nil)
    }

    @Test func int64ValueIsOnlyForIntegralNumbers() {
        #expect(parsed("1700000000")?.int64Value == 1_700_000_000)
        #expect(parsed("-5")?.int64Value == -5)
        #expect(parsed("1.0")?.int64Value == 1)
        #expect(parsed("1.5")?.int64Value == nil)
        #expect(parsed("1e19")?.int64Value == nil)
        #expect(parsed("\"1\"")?.int64Value == nil)
    }

    @Test func escapes() {
        #expect(parsed(#""\"\\\/\b\f\n\r\t""#)?.stringValue == "\"\\/\u{8}\u{c}\n\r\t")
        #expect(parsed(#""\u0041\u00e9\u4e2d""#)?.stringValue == "Aé中")
        #expect(parsed(#""\uD83D\uDE00""#)?.stringValue == "😀")
        #expect(parsed(#""\u0000""#)?.stringValue == "\u{0}")
    }

    @Test(arguments: [#""\x41""#, #""\u00""#, #""\u00G0""#, #""\'""#, #""\""#, #""\uDE00""#,
                      #""\uD83D""#, #""\uD83Dx""#, #""\uD83D\u0041""#, #""\uD83D\n""#, #""abc"#, "\"a\u{1}b\"",
                      "\"a\nb\"", "\"a\tb\"", "'a'"])
    func invalidStrings(_ text: String) {
        #expect(parsed(text) == nil)
    }

    @Test func validUTF8IsKept() {
        #expect(parsed(Array("\"Zoë 中 😀\"".utf8))?.stringValue == "Zoë 中 😀")
    }

    @Test(arguments: [
        [0x22, 0xff, 0x22],                   // never valid in UTF-8
        [0x22, 0xc3, 0x22],                   // truncated sequence
        [0x22, 0xc0, 0xaf, 0x22],             // overlong '/'
        [0x22, 0xe0, 0x80, 0xaf, 0x22],       // overlong '/'
        [0x22, 0xed, 0xa0, 0x80, 0x22],       // UTF-8 encoded surrogate
        [0x22, 0xf4, 0x90, 0x80, 0x80, 0x22], // above U+10FFFF
        [0x22, 0x80, 0x22],                   // lone continuation byte
    ] as [[UInt8]])
    func invalidUTF8IsRefused(_ bytes: [UInt8]) {
        #expect(parsed(bytes) == nil)
        #expect(parsed([0x7b] + bytes + Array(":1}".utf8)) == nil, "as a key")
    }

    @Test func bytesOutsideStringsAreRefused() {
        #expect(parsed([0xef, 0xbb, 0xbf, 0x7b, 0x7d]) == nil, "byte order mark")
        #expect(parsed([0x7b, 0x7d, 0x00]) == nil)
    }

    @Test func duplicateKeysAfterUnescapingAreRefused() {
        #expect(JSONParser.parse(#"{"aud":"a","\u0061ud":"b"}"#) == .failure(.duplicateKey))
        #expect(JSONParser.parse(#"{"a":{"x":1,"x":2}}"#) == .failure(.duplicateKey))
    }

    @Test func depthLimitIsExact() {
        func nested(_ n: Int) -> String { String(repeating: "[", count: n) + String(repeating: "]", count: n) }
        func objects(_ n: Int) -> String { String(repeating: "{\"a\":", count: n) + "1" + String(repeating: "}", count: n) }
        #expect(JSONParser.parse(Array(nested(3).utf8), maxDepth: 3) != .failure(.tooDeep))
        #expect(JSONParser.parse(Array(nested(4).utf8), maxDepth: 3) == .failure(.tooDeep))
        #expect(JSONParser.parse(Array(objects(3).utf8), maxDepth: 3) != .failure(.tooDeep))
        #expect(JSONParser.parse(Array(objects(4).utf8), maxDepth: 3) == .failure(.tooDeep))
        #expect(parsed(nested(JSONParser.defaultMaxDepth)) != nil)
        #expect(JSONParser.parse(nested(JSONParser.defaultMaxDepth + 1)) == .failure(.tooDeep))
        // Scalars do not count as a level.
        #expect(JSONParser.parse(Array("1".utf8), maxDepth: 0) == .success(.number(1)))
    }

    @Test func hugeNestingFailsWithoutExhaustingTheStack() {
        let deep = String(repeating: "[", count: 1_000_000)
        #expect(JSONParser.parse(deep) == .failure(.tooDeep))
    }

    @Test func sizeCap() {
        let body = Array(#"{"a":"0123456789"}"#.utf8)
        #expect(JSONParser.parse(body, maxBytes: body.count) != .failure(.tooLarge))
        #expect(JSONParser.parse(body, maxBytes: body.count - 1) == .failure(.tooLarge))
        let big = [UInt8](repeating: 0x20, count: JSONParser.defaultMaxBytes + 1)
        #expect(JSONParser.parse(big) == .failure(.tooLarge))
    }

    @Test(arguments: ["", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\"}", "{a:1}", "[1 2]", "tru", "nul", "True",
                      "{\"a\":1}{}", "\"a\" \"b\"", "{,}", "[,]", "{\"a\" 1}"])
    func malformedDocuments(_ text: String) {
        #expect(parsed(text) == nil)
    }

    @Test func whitespaceIsOnlyTheFourJSONCharacters() {
        #expect(parsed(" \t\r\n{ \"a\" : [ 1 , 2 ] }\n") != nil)
        #expect(parsed("\u{0b}{}") == nil)
        #expect(parsed("\u{a0}{}") == nil)
    }

    @Test func errorOffsetPointsAtTheProblem() {
        #expect(JSONParser.parse("[1,x]") == .failure(.invalid(offset: 3)))
    }
}
