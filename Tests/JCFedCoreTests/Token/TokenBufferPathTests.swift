import Testing
@testable import JCFedCore

/// The buffer paths of a validation against references: `groups` read from the payload's bytes
/// (JSONSlot.strings) as the JSON value `parse` gives, wanted names checked for duplicates
/// without key records, the signature check given the token's own bytes, and the configured
/// issuer and tenant Strings returned only for the same bytes.
@Suite struct TokenBufferPathTests {
    /// Arrays of every shape as a wanted member: the same verdict and value as `parse`, and a
    /// `.strings` slot exactly for arrays of strings without escapes.
    @Test func stringArraysReadAsParseReadsThem() {
        let arrays = ["[]", "[ ]", #"["a"]"#, #"[ "a" , "b" ]"#, #"["a","b","c"]"#, "[\"\u{e9}\"]", #"[""]"#,
                      #"["a\u0062"]"#, #"["a\"b"]"#, #"["a",1]"#, #"[1,"a"]"#, #"[["a"]]"#, #"["a",null]"#,
                      #"["a",]"#, #"["a""#, #"["a" "b"]"#, #"[,"a"]"#, "[\"a\u{1}\"]", #"["a"}"#, "[", #"["\ud800"]"#]
        let names = JSONMemberNames(["groups", "x"])
        for array in arrays {
            for document in ["{\"groups\":\(array)}", "{\"x\":1,\"groups\":\(array),\"y\":2}", "{\"z\":\(array)}"] {
                let bytes = Array(document.utf8)
                let parsed = JSONParser.parse(bytes)
                let slots = JSONParser.memberSlots(of: bytes, in: 0..<bytes.count, wanted: names)
                switch (parsed, slots) {
                case (.success(let value), .success(let found)):
                    #expect(found.value(0, in: bytes) == value["groups"], "\(document)")
                    let plain = !array.contains("\\") && !array.contains("1") && !array.contains("null")
                        && !array.contains("[[") && value["groups"] != nil
                    if case .strings = found.slot(0) {
                        #expect(plain, "\(document)")
                    } else {
                        #expect(!plain, "\(document)")
                    }
                case (.failure(let a), .failure(let b)):
                    #expect(a == b, "\(document)")
                default:
                    Issue.record("\(document): parse \(parsed), memberSlots \(slots)")
                }
            }
        }
        // The depth cap applies to the array as to any container.
        let nested = Array(#"{"groups":["a"]}"#.utf8)
        #expect(JSONParser.memberSlots(of: nested, in: 0..<nested.count, wanted: names, maxDepth: 1).map(\.slots)
            == .failure(.tooDeep))
    }

    /// `JWTClaims.strings` (what IdentityPolicy reads) against the JSON value of `groups`, for
    /// claims read from a token and from a dictionary.
    @Test func groupsAgreeWithTheJSONValue() throws {
        let values = [#"["a","b"]"#, "[]", "null", #""x""#, "[1]", #"["a\u0062"]"#, #"{"a":1}"#, "true", "1",
                      #"["g1", "g2" ,"\#u{e9}"]"#, #"[["a"]]"#]
        for value in values {
            let payload = "{\"sub\":\"s\",\"groups\":\(value)}"
            for claims in [CoreFixture.claims(payload), payloadClaims(payload)] {
                let viaStrings = Result { () throws(TokenRejection) -> [String]? in try claims.stringList(.groups)?.strings }
                #expect(viaStrings == reference(claims[.groups]), "\(value)")
            }
        }
        #expect(try payloadClaims(#"{"sub":"s"}"#).stringList(.groups) == nil)
    }

    /// The reading IdentityPolicy had before: the JSON value, item by item.
    private func reference(_ value: JSONValue?) -> Result<[String]?, TokenRejection> {
        guard let value else { return .success(nil) }
        guard case .array(let list) = value else { return .failure(TokenRejection(.badClaim)) }
        var items: [String] = []
        for item in list {
            guard case .string(let text) = item else { return .failure(TokenRejection(.badClaim)) }
            items.append(text)
        }
        return .success(items)
    }

    private func payloadClaims(_ json: String) -> JWTClaims {
        guard case .success(let jws) = CompactJWS.parse(CoreFixture.token(payload: json), maxBytes: 1 << 16) else {
            return JWTClaims([:])
        }
        return jws.payload
    }

    /// A wanted name given twice (also once escaped, once with another value type or after a
    /// nested object with the same key) is refused as `parse` refuses it; a wanted name inside
    /// a nested object is not the top-level member.
    @Test func repeatedWantedNamesAreRefused() {
        let names = JSONMemberNames(["aud", "groups"])
        let documents = [#"{"aud":"a","aud":"a"}"#, #"{"aud":"a","a\u0075d":"b"}"#, #"{"groups":["a"],"groups":["b"]}"#,
                         #"{"aud":1,"x":{"aud":2},"aud":3}"#, #"{"aud":null,"aud":null}"#, #"{"x":{"aud":1},"aud":2}"#,
                         #"{"aud":"a","groups":[],"aud":"a"}"#, #"{"aud":"a","aud":}"#, #"{"a\u0075d":[1],"aud":[1]}"#]
        for document in documents {
            let bytes = Array(document.utf8)
            let parsed = JSONParser.parse(bytes).map { _ in 0 }
            let found = JSONParser.memberSlots(of: bytes, in: 0..<bytes.count, wanted: names).map { _ in 0 }
            #expect(found == parsed, "\(document)")
        }
        let token = CoreFixture.token(payload: #"{"sub":"s","sub":"s"}"#)
        #expect(CompactJWS.parse(token, maxBytes: 1 << 16).map { _ in 0 } == .failure(TokenRejection(.malformed)))
        let header = CoreFixture.token(header: #"{"alg":"RS256","alg":"RS256"}"#)
        #expect(CompactJWS.parse(header, maxBytes: 1 << 16).map { _ in 0 } == .failure(TokenRejection(.malformed)))
    }

    /// Short keys are read from one word and are their own fingerprint; the same keys escaped,
    /// non-ASCII or too near the end of the document for a word are read by `scanString`. Both
    /// ways give the same fingerprint, so wanted names and duplicates are found whichever way
    /// each key was read, as `parse` finds them.
    @Test func shortKeysReadEitherWayAreTheSameKeys() {
        let wanted = ["aud", "exp", "", "groups", "xms_edo", "xms_edov"]
        let names = JSONMemberNames(wanted)
        let spellings = ["aud", #"a\u0075d"#, "exp", #"\u0065xp"#, "", "groups", #"group\u0073"#, "xms_edo",
                         "xms_edov", #"xms_ed\u006f"#, "\u{e9}", #"\u00e9"#, "au", "audi", "a\u{1}"]
        for first in spellings {
            for second in spellings {
                for tail in ["", ",\"zzzzzzzzzz\":0"] {
                    for value in ["1", #""v""#] {
                        let document = "{\"\(first)\":\(value),\"\(second)\":2\(tail)}"
                        let bytes = Array(document.utf8)
                        let parsed = JSONParser.parse(bytes)
                        let found = JSONParser.members(of: bytes, in: 0..<bytes.count, wanted: names)
                        switch (parsed, found) {
                        case (.success(let object), .success(let members)):
                            for (index, name) in wanted.enumerated() {
                                #expect(members[index] == object[name], "\(document) \(name)")
                            }
                        case (.failure(let a), .failure(let b)):
                            #expect(a == b, "\(document)")
                        default:
                            Issue.record("\(document): parse \(parsed), members \(found)")
                        }
                    }
                }
            }
        }
        // A short key's fingerprint is its bytes and length, from the word or from the bytes.
        #expect(JSONScanner.fingerprint(Array("aud".utf8), 0..<3) == 0x0300_0000_0064_7561)
        #expect(JSONScanner.fingerprint(Array("xaudx".utf8), 1..<4) == 0x0300_0000_0064_7561)
        #expect(JSONScanner.fingerprint([], 0..<0) == 0)
    }

    /// A verifier with only the array form gets exactly the signing input and the signature
    /// (through the buffer form's default); an empty signature is never given to it.
    @Test func theVerifierGetsTheTokensBytes() throws {
        final class Recorder: SignatureVerifier {
            var seen: [([UInt8], [UInt8])] = []
            func verify(algorithm: JWSAlgorithm, key: JWK, signingInput: [UInt8], signature: [UInt8]) -> Bool {
                seen.append((signingInput, signature))
                return true
            }
        }
        for signature in [[1, 2, 3], [UInt8](repeating: 0xAB, count: 256), [0]] as [[UInt8]] {
            let token = CoreFixture.token(signature: signature)
            let jws = try CompactJWS.parse(token, maxBytes: 1 << 16).get()
            let recorder = Recorder()
            #expect(SignaturePolicy.check(jws, algorithm: .rs256, key: CoreFixture.key, verifier: recorder) == nil)
            let dot = try #require(token.utf8.lastIndex(of: UInt8(ascii: ".")))
            #expect(recorder.seen.count == 1)
            #expect(recorder.seen.first?.0 == Array(token.utf8[..<dot]))
            #expect(recorder.seen.first?.1 == signature)
            #expect(jws.signature == signature)
        }
        let unsigned = try CompactJWS.parse(CoreFixture.token(signature: []), maxBytes: 1 << 16).get()
        let recorder = Recorder()
        #expect(SignaturePolicy.check(unsigned, algorithm: .rs256, key: CoreFixture.key, verifier: recorder)
            == TokenRejection(.badSignature))
        #expect(recorder.seen.isEmpty)
    }

    /// The decoded buffer (which starts as a copy of the token's characters) ends up holding
    /// exactly the decoded header, payload and signature, for every length of each modulo 3.
    @Test func theDecodedBufferHoldsOnlyDecodedBytes() throws {
        for kidLength in 0..<7 {
            for subLength in 1..<7 {
                for signatureLength in 0..<9 {
                    let kid = String(repeating: "k", count: kidLength)
                    let sub = String(repeating: "s", count: subLength)
                    let signature = (0..<signatureLength).map { UInt8(truncatingIfNeeded: 0xF0 &+ $0) }
                    let header = Base64.urlEncode(Array(#"{"alg":"RS256","kid":"\#(kid)"}"#.utf8))
                    let payload = Base64.urlEncode(Array(#"{"sub":"\#(sub)"}"#.utf8))
                    let token = header + "." + payload + "." + Base64.urlEncode(signature)
                    let jws = try CompactJWS.parse(token, maxBytes: 1 << 16).get()
                    #expect(jws.header.text(.kid)?.string == kid)
                    #expect(try jws.payload.text(.sub)?.string == sub)
                    #expect(jws.signature == signature)
                    #expect(jws.signingInput == Array((header + "." + payload).utf8))
                }
            }
        }
    }
}

