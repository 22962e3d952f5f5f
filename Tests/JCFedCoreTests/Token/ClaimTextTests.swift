import Testing
@testable import JCFedCore

/// Claims compared as bytes give String's `==` answers, and the issuer template is matched in
/// place exactly where substituting the tenant and comparing would match.
@Suite struct ClaimTextTests {
    private func text(_ s: String) -> ClaimText {
        let bytes = Array("xx".utf8) + Array(s.utf8) + Array("yy".utf8)
        return ClaimText(bytes: bytes[2..<(bytes.count - 2)])
    }

    @Test func isSameIsStringEquality() {
        let base = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"
        var others = [base, "", "h", base + "/", String(base.dropLast()), "é", "e\u{301}", "\u{e9}x", "e\u{301}x",
                      "Å", "A\u{30A}", "\u{212B}"]
        // Every position of a long ASCII text changed once (word and tail comparisons).
        for i in 0..<base.utf8.count {
            var bytes = Array(base.utf8)
            bytes[i] ^= 0x01
            others.append(String(decoding: bytes, as: UTF8.self))
        }
        for a in others {
            for b in others {
                #expect(text(a).isSame(as: b) == (a == b), "\(a) vs \(b)")
                #expect(ClaimText(a).isSame(as: b) == (a == b))
            }
            #expect(text(a).string == a)
            #expect(text(a).isEmpty == a.isEmpty)
        }
    }

    @Test func templateMatchIsSubstituteThenCompare() {
        let pieces = ["{tenantid}", "{tenant", "id}", "a", "/", "}", "{", "é"]
        let tids = ["T", "", "{tenantid}", "ab", "11111111-2222-3333-4444-555555555555"]
        var state: UInt64 = 5
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        for _ in 0..<3_000 {
            let template = (0..<next(6)).map { _ in pieces[next(pieces.count)] }.joined()
            let tid = tids[next(tids.count)]
            let substituted = IssuerPolicy.substituteTenant(in: template, tid: tid)
            let candidates = [substituted, substituted + "a", String(substituted.dropLast()), template,
                              (0..<next(6)).map { _ in pieces[next(pieces.count)] }.joined()]
            for iss in candidates {
                let matched = IssuerPolicy.matches(template: template, tid: text(tid), iss: text(iss))
                #expect(matched == (Array(substituted.utf8) == Array(iss.utf8)), "\(template) \(tid) \(iss)")
            }
            #expect(IssuerPolicy.hasTenantPlaceholder(template) == (substituted != template || template.contains("{tenantid}")))
        }
    }
}
