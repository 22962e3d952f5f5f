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
