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

/// `JSONParser.members` (the token path) refuses exactly what `parse` refuses, plus anything
/// that is not an object, and gives the wanted members the values `parse` gives them.
@Suite struct JSONMembersTests {
    static let wanted = ["aud", "a", "exp"]

    /// The verdict and the wanted values, both ways; nil when refused.
    private func both(_ bytes: [UInt8]) -> (viaParse: [JSONValue?]?, viaMembers: [JSONValue?]?) {
        let viaParse: [JSONValue?]?
        if case .success(.object(let object)) = JSONParser.parse(bytes) {
            viaParse = Self.wanted.map { object[$0] }
        } else {
            viaParse = nil
        }
        let names = JSONMemberNames(Self.wanted)
        let viaMembers = try? JSONParser.members(of: bytes, in: 0..<bytes.count, wanted: names).get()
        return (viaParse, viaMembers)
    }

    private func expectSame(_ bytes: [UInt8], _ comment: String = "") {
        let (a, b) = both(bytes)
        #expect(a == b, "\(comment) \(String(decoding: bytes, as: UTF8.self))")
    }

    static let values: [String] = [
        "1", "-0", "1e400", "-1e400", "01", "1.", "1e", "9007199254740993", "123456789012345", "1234567890123456",
        "-123456789012345", "1.5", "2.5e-1", "true", "false", "null", "tru", "nul", #""x""#, #""\u0061""#,
        #""\ud800""#, #""\uD83D\uDE00""#, #""\uD83D\u0041""#, #""\x41""#, "\"a\u{1}b\"", #""abc"#, "[]", "{}",
        "[1,]", "[1 2]", #"{"x":1,"x":2}"#, #"{"x":1,"\u0078":2}"#, #"{"x":{"y":1},"y":{"y":1}}"#,
        #"{"x":{"y":1,"y":1}}"#, #"[{"x":1},{"x":1}]"#, #"{"a":1}"#, #"{"aud":[1,{"aud":2}]}"#, #"{,}"#,
        #"{"x" 1}"#, #"{"x":1,}"#, "\"\u{e9}\"",
    ]

    @Test func sameVerdictsAsParseForEachValueInEachPlace() {
        for value in Self.values {
            for doc in ["{\"z\":\(value)}", "{\"a\":\(value)}", "{\"aud\":\(value),\"z\":1}", "{\"z\":[\(value)]}",
                        "{\"z\":{\"k\":\(value)}}", value, "{\"a\":1,\"q\":\(value)} ", "{\"a\":\(value)}x"] {
                expectSame(Array(doc.utf8), "value \(value)")
            }
        }
    }

    @Test func duplicateKeysAreFoundInSkippedAndWantedMembersAfterUnescaping() throws {
        for doc in [#"{"z":1,"z":2}"#, #"{"z":1,"\u007a":2}"#, #"{"aud":1,"\u0061ud":2}"#, #"{"a":1,"a":1}"#,
                    #"{"z":{"k":{"m":1,"m":2}}}"#, #"{"z":{"k":1},"k":1}"#, #"{"z":{"k":1},"w":{"k":1}}"#,
                    #"{"\u00e9":1,"é":2}"#, #"{"":1,"":2}"#, #"{"ab":1,"a":2,"b":3}"#] {
            expectSame(Array(doc.utf8), doc)
        }
        let names = JSONMemberNames(Self.wanted)
        let escaped = Array(#"{"\u0061ud":"c"}"#.utf8)
        #expect(try JSONParser.members(of: escaped, in: 0..<escaped.count, wanted: names).get()[0] == .string("c"))
        // The range is the document: one cut short is refused.
        if case .success = JSONParser.members(of: escaped, in: 0..<(escaped.count - 1), wanted: names) {
            Issue.record("a document cut short by its range was accepted")
        }
    }

    @Test func invalidUTF8InSkippedStringsAndKeysIsRefused() {
        let sequences: [[UInt8]] = [[0xff], [0xc3], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80],
                                    [0xf4, 0x90, 0x80, 0x80], [0x80], [0xc3, 0x5c, 0x6e], [0xe2, 0x82]]
        for bad in sequences {
            expectSame(Array(#"{"z":""#.utf8) + bad + Array(#""}"#.utf8))
            expectSame(Array(#"{"z":"\n"#.utf8) + bad + Array(#""}"#.utf8), "after an escape")
            expectSame([0x7b, 0x22] + bad + Array(#"":1}"#.utf8), "as a key")
        }
    }

    @Test func depthCapIsTheSame() {
        for n in [30, 31, 32, 33] {
            let arrays = "{\"z\":" + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "}"
            expectSame(Array(arrays.utf8), "arrays \(n)")
            let wanted = "{\"a\":" + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "}"
            expectSame(Array(wanted.utf8), "wanted arrays \(n)")
            let objects = "{\"z\":" + String(repeating: "{\"k\":", count: n) + "1" + String(repeating: "}", count: n) + "}"
            expectSame(Array(objects.utf8), "objects \(n)")
        }
        #expect(JSONParser.members(of: Array("{}".utf8), in: 0..<2, wanted: JSONMemberNames([]), maxDepth: 0) == .failure(.tooDeep))
    }

    @Test func sizeCapIsTheSame() {
        let body = Array(#"{"a":"0123456789"}"#.utf8)
        #expect(JSONParser.members(of: body, in: 0..<body.count, wanted: JSONMemberNames([]), maxBytes: body.count) != .failure(.tooLarge))
        #expect(JSONParser.members(of: body, in: 0..<body.count, wanted: JSONMemberNames([]), maxBytes: body.count - 1) == .failure(.tooLarge))
    }

    /// Thousands of one- and two-byte mutations of a token payload: never a different verdict.
    @Test func mutatedPayloadsGetTheSameVerdict() {
        let payload = Array(#"{"aud":["c","d"],"a":{"b":[1,2.5e3,"\u00e9\n"]},"exp":1700000000,"z":null,"t":true,"s":"x"}"#.utf8)
        let alphabet = Array(#"{}[]:,"\ u0123456789aeE+-.xnlt"#.utf8) + [0x00, 0x1f, 0x80, 0xc3, 0xa9, 0xed, 0xff]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        for _ in 0..<5_000 {
            var doc = payload
            for _ in 0..<(1 + next(2)) {
                switch next(3) {
                case 0: doc[next(doc.count)] = alphabet[next(alphabet.count)]
                case 1: doc.insert(alphabet[next(alphabet.count)], at: next(doc.count + 1))
                default: if doc.count > 1 { doc.remove(at: next(doc.count)) }
                }
            }
            expectSame(doc)
        }
    }

    /// The UTF-8 check for strings that are not built agrees with the standard library's.
    @Test func utf8CheckAgreesWithTheStandardLibrary() {
        // Every lead byte with every boundary second byte, and the continuation boundaries after.
        let edges: [UInt8] = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0,
                              0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff]
        let tails: [UInt8] = [0x00, 0x7f, 0x80, 0xbf, 0xc0]
        for lead in 0...255 {
            for b in edges {
                for c in tails {
                    for d in tails {
                        let bytes: [UInt8] = [UInt8(lead), b, c, d]
                        for length in [1, 2, 3, 4] where length == 4 || d == 0x00 {
                            let prefix = Array(bytes.prefix(length))
                            #expect(JSONScanner.isValidUTF8(prefix, 0..<length)
                                    == (String(validating: prefix, as: UTF8.self) != nil), "\(prefix)")
                        }
                    }
                }
            }
        }
    }
}

/// Strings long enough for the eight-bytes-at-a-time run, with a quote, backslash, control
/// character, non-ASCII or invalid byte at every position: the verdict and value of a simple
/// token-by-token reference, through `parse` and through `members`.
@Suite struct JSONStringRunTests {
    /// Raw bytes in the document, and what they decode to (nil: the string is refused; invalid
    /// UTF-8 in the decoded bytes, whatever pieces it spans, is refused too).
    static let pieces: [([UInt8], [UInt8]?)] = [
        (Array("a".utf8), Array("a".utf8)), (Array("abcdefgh".utf8), Array("abcdefgh".utf8)),
        ([0xC3, 0xA9], [0xC3, 0xA9]), ([0xF0, 0x9F, 0x98, 0x80], [0xF0, 0x9F, 0x98, 0x80]),
        (Array(#"\""#.utf8), [0x22]), (Array(#"\\"#.utf8), [0x5C]), (Array(#"\n"#.utf8), [0x0A]),
        (Array(#"\u00e9"#.utf8), [0xC3, 0xA9]), ([0x7F], [0x7F]), ([0x20], [0x20]),
        ([0x01], nil), ([0x1F], nil), ([0xFF], [0xFF]), ([0xC3], [0xC3]), ([0x80], [0x80]),
    ]

    @Test func runsAgreeWithTheReference() {
        var state: UInt64 = 11
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        let names = JSONMemberNames(["k"])
        for _ in 0..<5_000 {
            var raw: [UInt8] = []
            var decoded: [UInt8]? = []
            for _ in 0..<next(12) {
                // Mostly plain ASCII, so runs are long and the odd piece lands anywhere in a word.
                let piece = next(3) == 0 ? Self.pieces[next(Self.pieces.count)] : Self.pieces[next(2)]
                raw += piece.0
                if let bytes = piece.1, let sofar = decoded { decoded = sofar + bytes } else { decoded = nil }
            }
            let document = Array(#"{"k":""#.utf8) + raw + Array(#"","z":1}"#.utf8)
            let expected: JSONValue? = decoded.flatMap { String(validating: $0, as: UTF8.self) }.map { .string($0) }
            let parsed = try? JSONParser.parse(document).get()
            #expect(parsed?["k"] == expected, "\(raw)")
            let members = try? JSONParser.members(of: document, in: 0..<document.count, wanted: names).get()
            #expect(members?.first ?? nil == expected, "\(raw)")
        }
    }
}
