import Testing
@testable import JCFedCore

@Suite struct CompactJWSTests {
    private func parse(_ token: String, max: Int = 16 * 1024) -> Result<CompactJWS, TokenRejection> {
        CompactJWS.parse(token, maxBytes: max)
    }

    private func code(_ token: String, max: Int = 16 * 1024) -> TokenRejection.Code? {
        if case .failure(let rejection) = parse(token, max: max) { return rejection.code }
        return nil
    }

    @Test func parsesHeaderPayloadSignatureAndSigningInput() throws {
        let token = CoreFixture.token()
        let jws = try parse(token).get()
        #expect(jws.header["alg"] == .string("RS256"))
        #expect(jws.payload["sub"] == .string("sub-1"))
        #expect(jws.signature == [1, 2, 3])
        let dot = token.utf8.lastIndex(of: UInt8(ascii: "."))
        #expect(jws.signingInput == Array(token.utf8[..<(dot ?? token.utf8.endIndex)]))
    }

    @Test func emptySignatureParses() throws {
        #expect(try parse(CoreFixture.token(signature: [])).get().signature.isEmpty)
    }

    @Test func sizeIsCheckedFirst() {
        #expect(code(CoreFixture.token(), max: 100) == .tooLarge)
        #expect(code(String(repeating: "%", count: 200), max: 100) == .tooLarge)
        #expect(code(String(repeating: "%", count: 99), max: 100) == .malformed)
    }

    @Test func segmentCount() {
        let token = CoreFixture.token()
        #expect(code(token + ".AAAA") == .malformed)
        #expect(code(String(token.prefix(while: { $0 != "." }))) == .malformed)
        #expect(code("..") == .malformed)
        #expect(code("") == .malformed)
    }

    @Test func strictBase64url() {
        let token = CoreFixture.token()
        #expect(code("=" + token) == .malformed)
        #expect(code(token + "=") == .malformed)
        #expect(code(token.replacingFirst("e", with: "+")) == .malformed)
        #expect(code(" " + token) == .malformed)
    }

    @Test func headerAndPayloadMustBeObjects() {
        #expect(code(CoreFixture.token(header: "[]")) == .malformed)
        #expect(code(CoreFixture.token(payload: "\"sub\"")) == .malformed)
        #expect(code(CoreFixture.token(payload: "{\"exp\":NaN}")) == .malformed)
        #expect(code(CoreFixture.token(payload: #"{"aud":"a","aud":"b"}"#)) == .malformed)
        #expect(code(CoreFixture.token(header: #"{"alg":"RS256","alg":"none"}"#)) == .malformed)
    }
}

extension String {
    /// The string with its first `target` character replaced (test helper; no Foundation).
    func replacingFirst(_ target: Character, with replacement: Character) -> String {
        guard let index = firstIndex(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(index...index, with: String(replacement))
        return copy
    }
}
