import Testing
@testable import JCFedCore

/// Token-path pieces against simple references: key fingerprints depend only on the key's
/// bytes, duplicate keys of every length are found as `parse` finds them, header and payload
/// read by one scanner give what each read alone gives, and the identity's Strings carry
/// exactly the token's bytes.
@Suite struct TokenFastPathTests {
    @Test func fingerprintDependsOnlyOnTheBytes() {
        var state: UInt64 = 11
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        for _ in 0..<3_000 {
            let key = (0..<next(40)).map { _ in UInt8(truncatingIfNeeded: next(256)) }
            let before = (0..<next(11)).map { _ in UInt8(truncatingIfNeeded: next(256)) }
            let after = (0..<next(11)).map { _ in UInt8(truncatingIfNeeded: next(256)) }
            let other = [UInt8](repeating: 0x41, count: next(5)) + key
            let a = JSONScanner.fingerprint(before + key + after, before.count..<(before.count + key.count))
            let b = JSONScanner.fingerprint(other, (other.count - key.count)..<other.count)
            #expect(a == b, "\(key)")
        }
        // A range outside the buffer is not read.
        #expect(JSONScanner.fingerprint([1, 2, 3], 2..<5) == 0)
    }

    /// Keys of every length up to three words: a repeated key is refused, keys differing in
    /// any one byte are not, as `JSONParser.parse` decides (in skipped and wanted members).
    @Test func duplicatesOfEveryLengthAreFound() {
        let names = JSONMemberNames(["aud", "exp", "preferred_username"])
        for length in 0...26 {
            let base = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            var variants = [base]
            for i in 0..<length {
                var changed = base
                changed[i] = UInt8(ascii: "Z")
                variants.append(changed)
            }
            for second in variants {
                for nested in [false, true] {
                    let members = "\"" + String(decoding: base, as: UTF8.self) + "\":1,\"aud\":2,\""
                        + String(decoding: second, as: UTF8.self) + "\":3"
                    let doc = Array((nested ? "{\"z\":{" + members + "}}" : "{" + members + "}").utf8)
                    let parsed = JSONParser.parse(doc)
                    let found = JSONParser.members(of: doc, in: 0..<doc.count, wanted: names)
                    let refusedByParse: Bool
                    if case .failure(.duplicateKey) = parsed { refusedByParse = true } else { refusedByParse = false }
                    let refusedByMembers: Bool
                    if case .failure(.duplicateKey) = found { refusedByMembers = true } else { refusedByMembers = false }
                    #expect(refusedByParse == (base == second))
                    #expect(refusedByMembers == refusedByParse, "\(length) \(second)")
                }
            }
        }
    }

    /// Two objects read by one scanner give, each, what `memberSlots` gives for it alone (the
    /// second not read when the first fails), whatever the first left behind.
    @Test func oneScannerForHeaderAndPayloadGivesTheSameSlots() {
        let header = JSONMemberNames(["alg", "kid", "crit"])
        let claims = JSONMemberNames(["aud", "a", "exp"])
        var docs: [String] = []
        for value in JSONMembersTests.values {
            docs += ["{\"a\":\(value)}", "{\"z\":{\"k\":\(value)}}", value, " {\"aud\":[\(value)],\"kid\":\"x\"} "]
        }
        docs += [#"{"alg":"RS256","kid":"k\u0031"}"#, #"{"z":{"z":{"z":1}}}"#, "", "{}", #"{"a":1,"a":2}"#]
        for first in docs {
            for second in docs where second.count % 3 == first.count % 3 {
                let bytes = Array(first.utf8) + Array(second.utf8)
                let a = 0..<first.utf8.count
                let b = first.utf8.count..<bytes.count
                let pair = JSONParser.memberSlots(of: bytes, in: a, wanted: header, then: b, wanted: claims)
                let alone = JSONParser.memberSlots(of: bytes, in: a, wanted: header)
                #expect(same(pair.first, alone), "\(first)")
                if case .success = alone {
                    let secondAlone = JSONParser.memberSlots(of: bytes, in: b, wanted: claims)
                    #expect(pair.second.map { same($0, secondAlone) } == true, "\(first) then \(second)")
                } else {
                    #expect(pair.second == nil)
                }
            }
        }
        // Limits apply to each range as to one read alone.
        let big = Array(#"{"a":1}{"aud":"xyz"}"#.utf8)
        let capped = JSONParser.memberSlots(of: big, in: 0..<7, wanted: header, then: 7..<big.count, wanted: claims,
                                            maxBytes: 7)
        #expect(same(capped.first, JSONParser.memberSlots(of: big, in: 0..<7, wanted: header, maxBytes: 7)))
        #expect(capped.second.map { same($0, .failure(.tooLarge)) } == true)
    }

    private func same(_ a: Result<JSONMembers, JSONError>, _ b: Result<JSONMembers, JSONError>) -> Bool {
        switch (a, b) {
        case (.success(let x), .success(let y)): return x.slots == y.slots && x.built == y.built
        case (.failure(let x), .failure(let y)): return x == y
        default: return false
        }
    }

    /// Numbers read in one pass: the value `Double(text)` gives (integers of every length, signs,
    /// fractions, exponents), refused where JSON refuses them.
    @Test func numbersAreWhatDoubleSays() throws {
        var state: UInt64 = 3
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        var texts = ["0", "-0", "1", "-1", "9", "10", "999999999999999", "1000000000000000", "-999999999999999",
                     "1796315985", "0.5", "-0.0", "1e3", "1E-3", "12.5e+2", "123456789012345678901234567890"]
        for _ in 0..<3_000 {
            let digits = 1 + next(20)
            var text = next(4) == 0 ? "-" : ""
            text += String(1 + next(9)) + (1..<digits).map { _ in String(next(10)) }.joined()
            if next(5) == 0 { text += "." + String(next(1000)) }
            if next(7) == 0 { text += "e" + String(next(30)) }
            texts.append(text)
        }
        for text in texts {
            let value = try JSONParser.parse(text).get()
            #expect(value == .number(try #require(Double(text))), "\(text)")
            if text.hasPrefix("-0") && Double(text) == 0 { #expect(value.numberValue?.sign == .minus) }
        }
        for bad in ["01", "-", "-01", "1.", "1e", ".1", "1.e3", "0x1", "--1", "1-"] {
            if case .success = JSONParser.parse(bad) { Issue.record("\(bad) was accepted") }
        }
    }

    /// The typed-throw accessors, and the checks IdentityPolicy makes without building a
    /// ClaimText (`textLength`, `checkNonEmptyText`), give what the Result accessors give.
    @Test func stringAccessorsAgreeWithTextAccessors() {
        let values = [#""abc""#, #""""#, #""a\u0062c""#, "null", "true", "1", "[]", "{}", #"["x"]"#, "\"\u{e9}\""]
        for value in values {
            for claims in [CoreFixture.claims("{\"upn\":\(value)}"), payloadClaims("{\"upn\":\(value)}"), payloadClaims("{}")] {
                for claim in JWTClaims.Name.allCases {
                    let viaText = claims.optionalText(claim).map { $0?.string }
                    let viaThrow = Result { () throws(TokenRejection) -> String? in try claims.string(claim) }
                    #expect(viaText == viaThrow, "\(value) \(claim)")
                    let requiredViaText = claims.requiredText(claim).map { $0.string }
                    let lengthViaCheck = Result { () throws(TokenRejection) -> Int? in try claims.textLength(claim) }
                    #expect(viaText.map { $0?.utf8.count } == lengthViaCheck, "\(value) \(claim)")
                    let requiredViaCheck = Result { () throws(TokenRejection) in try claims.checkNonEmptyText(claim) }
                    func failure<T>(_ r: Result<T, TokenRejection>) -> TokenRejection? {
                        if case .failure(let rejection) = r { return rejection }
                        return nil
                    }
                    #expect(failure(requiredViaText) == failure(requiredViaCheck), "\(value) \(claim)")
                    #expect(failure(requiredViaText)?.detail == failure(requiredViaCheck)?.detail)
                }
            }
        }
    }

    private func payloadClaims(_ json: String) -> JWTClaims {
        guard case .success(let jws) = CompactJWS.parse(CoreFixture.token(payload: json), maxBytes: 1 << 16) else {
            return JWTClaims([:])
        }
        return jws.payload
    }

    /// KeySelection in one pass against the two-pass rule it replaced (is there a key with the
    /// kid at all, then the first usable one), over key sets with and without the kid, with
    /// unusable keys, alg pins and missing kids.
    @Test func keySelectionIsTheTwoPassRule() {
        func reference(_ header: JWSHeader, _ algorithm: JWSAlgorithm, _ keys: [JWK]) -> Result<JWK, TokenRejection> {
            let kid: ClaimText?
            if let named = header.text(.kid) {
                guard keys.contains(where: { $0.kid.map { named.isSame(as: $0) } ?? false }) else {
                    return .failure(TokenRejection(.unknownKid, "no configured key has the token's kid"))
                }
                kid = named
            } else if !header.isPresent(.kid) {
                guard keys.count == 1 else {
                    return .failure(TokenRejection(.unknownKid, "token has no kid and the key set has \(keys.count) keys"))
                }
                kid = nil
            } else {
                return .failure(TokenRejection(.malformed, "kid is not a string"))
            }
            var reason: String?
            for key in keys where kid.map({ named in key.kid.map { named.isSame(as: $0) } ?? false }) ?? true {
                if let problem = key.problem {
                    reason = problem.description
                } else if key.fits(algorithm) {
                    return .success(key)
                }
            }
            return .failure(TokenRejection(.keyUnusable, reason ?? "key type or alg does not fit \(algorithm.rawValue)"))
        }
        let modulus: [UInt8] = [0xC1] + [UInt8](repeating: 0x5A, count: 255)
        let short: [UInt8] = [0xC1] + [UInt8](repeating: 0x5A, count: 100)
        let pool = [
            CoreFixture.key, JWK(kid: "k1", use: "enc", material: .rsa(n: modulus, e: [1, 0, 1])),
            JWK(kid: "k1", material: .rsa(n: short, e: [1, 0, 1])), JWK(kid: "k2", material: .rsa(n: modulus, e: [3])),
            JWK(kid: "k1", alg: "PS256", material: .rsa(n: modulus, e: [1, 0, 1])),
            JWK(kid: "k2", alg: "RS256", material: .rsa(n: modulus, e: [1, 0, 1])),
            JWK(kid: nil, material: .rsa(n: modulus, e: [1, 0, 1])), JWK(kid: "k1", material: .rsa(n: modulus, e: [2])),
            JWK(kid: "e\u{301}", material: .rsa(n: modulus, e: [1, 0, 1])),
            JWK(kid: "k1", material: .ecP256(x: [UInt8](repeating: 1, count: 32), y: [UInt8](repeating: 2, count: 32))),
        ]
        var sets: [[JWK]] = [[]]
        for a in pool { sets.append([a]); for b in pool { sets.append([a, b]); sets.append([b, pool[0], a]) } }
        let headers: [[String: JSONValue]] = [["kid": .string("k1")], [:], ["kid": .string("k2")], ["kid": .null],
                                              ["kid": .number(1)], ["kid": .string("\u{e9}")], ["kid": .string("k3")]]
        for set in sets {
            for object in headers {
                let header = JWSHeader(object)
                for algorithm in JWSAlgorithm.allCases {
                    #expect(KeySelection.key(for: header, algorithm: algorithm, keys: set) == reference(header, algorithm, set),
                            "\(object) \(algorithm) \(set.map { $0.kid ?? "-" })")
                }
            }
        }
    }

    /// The identity made from token bytes, field by field as bytes, against Strings made by
    /// `JSONParser.parse` from the same payload.
    @Test func reusedStringsHaveTheTokensBytes() throws {
        let names = ["alice@contoso.com", "bob@contoso.com", "é@contoso.com", "e\u{301}@contoso.com", "a\\u0040b"]
        for upn in names {
            for preferred in names {
                for email in names {
                    for tenant in [CoreFixture.tenant, CoreFixture.tenant.uppercased()] {
                        for issuer in [CoreFixture.issuer, CoreFixture.issuer + "/"] {
                            for pinned in [true, false] {
                                let payload = """
                                    {"iss":"\(issuer)","tid":"\(tenant)","oid":"\(pinned ? "oid-1" : upn)",\
                                    "sub":"\(upn)","exp":1,"upn":"\(upn)","preferred_username":"\(preferred)",\
                                    "email":"\(email)","name":"\(email)","groups":["\(upn)"]}
                                    """
                                try check(payload, pinned: pinned)
                            }
                        }
                    }
                }
            }
        }
    }

    private func check(_ payload: String, pinned: Bool) throws {
        let context = CoreFixture.context(tenantID: pinned ? CoreFixture.tenant : nil)
        let jws = try CompactJWS.parse(CoreFixture.token(payload: payload), maxBytes: 1 << 16).get()
        let identity = try IdentityPolicy.identity(from: jws.payload, context: context).get()
        let object = try #require(JSONParser.parse(payload).get().objectValue)
        func bytes(_ s: String?) -> [UInt8]? { s.map { Array($0.utf8) } }
        func claim(_ name: String) -> [UInt8]? { bytes(object[name]?.stringValue) }
        #expect(bytes(identity.issuer) == claim("iss"))
        #expect(bytes(identity.tid) == claim("tid"))
        #expect(bytes(identity.oid) == claim("oid"))
        #expect(bytes(identity.sub) == claim("sub"))
        #expect(bytes(identity.upn) == claim("upn"))
        #expect(bytes(identity.preferredUsername) == claim("preferred_username"))
        #expect(bytes(identity.email) == claim("email"))
        #expect(bytes(identity.name) == claim("name"))
        #expect(identity.groups.map { Array($0.utf8) } == object["groups"]?.arrayValue?.compactMap { bytes($0.stringValue) })
        #expect(identity.idp == nil)
        // And the same identity as from a dictionary (no token bytes to reuse).
        #expect(try IdentityPolicy.identity(from: JWTClaims(object), context: context).get() == identity)
    }
}
