import Testing
@testable import JCFedCore
import JCFedSystem

/// Random characters for the tests below: mostly the alphabet, sometimes one that is not.
private struct CharSource {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int(state >> 33) % bound
    }
    mutating func text(_ length: Int, spoil: Bool) -> [UInt8] {
        var chars = (0..<length).map { _ in CharSource.alphabet[next(64)] }
        if spoil, length > 0 { chars[next(length)] = UInt8(next(256)) }
        return chars
    }
}

/// `Base64.urlDecode(_:into:at:blocks:)` with and without a block decoder: the same verdict
/// and bytes, nothing written outside the segment (0xA5 around it).
private func decodeBoth(_ chars: [UInt8], blocks: Base64URLBlockDecoder) -> (plain: [UInt8]?, blocked: [UInt8]?) {
    func run(_ decoder: Base64URLBlockDecoder?) -> [UInt8]? {
        guard let count = Base64.decodedCount(chars.count) else { return nil }
        var output = [UInt8](repeating: 0xA5, count: 3 + count + 5)
        let ok = chars.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { Base64.urlDecode(input, into: $0, at: 3, blocks: decoder) }
        }
        #expect(Array(output[..<3]) == [0xA5, 0xA5, 0xA5])
        #expect(Array(output[(3 + count)...]) == [UInt8](repeating: 0xA5, count: 5))
        return ok ? Array(output[3..<(3 + count)]) : nil
    }
    return (run(nil), run(blocks))
}

/// A block decoder made of the portable one (what a correct SIMD decoder does), or one that
/// answers outside the contract, which the core must refuse rather than trust.
private struct FakeBlocks: Base64URLBlockDecoder {
    enum Behaviour { case correct, nothing, claims(Int), invalid }
    let behaviour: Behaviour
    func decodeBlocks(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        switch behaviour {
        case .correct:
            let n = min(input.count / 32, output.count / 24) * 32
            let ok = Base64.urlDecode(UnsafeBufferPointer(rebasing: input[0..<n]), into: output, at: 0)
            return ok ? n : nil
        case .nothing: return 0
        case .claims(let n): return n
        case .invalid: return nil
        }
    }
}

@Suite struct Base64BlockDecoderSeamTests {
    @Test func aCorrectBlockDecoderChangesNoVerdict() {
        var source = CharSource(state: 7)
        for round in 0..<3_000 {
            let chars = source.text(source.next(200), spoil: round % 3 == 0)
            let (plain, blocked) = decodeBoth(chars, blocks: FakeBlocks(behaviour: .correct))
            #expect(plain == blocked, "\(chars)")
        }
    }

    @Test func aDecoderThatDecodesNothingLeavesItAllToTheCore() {
        var source = CharSource(state: 8)
        for _ in 0..<500 {
            let chars = Array(Base64.urlEncode((0..<source.next(150)).map { _ in UInt8(source.next(256)) }).utf8)
            let (plain, blocked) = decodeBoth(chars, blocks: FakeBlocks(behaviour: .nothing))
            #expect(plain != nil)
            #expect(plain == blocked)
        }
    }

    /// A count that is not a multiple of 32, beyond the input, beyond the output or negative,
    /// and nil (a character outside the alphabet): the segment is refused, valid text or not.
    @Test(arguments: [1, 31, 33, -32, 96, 128, 1 << 40])
    func anAnswerOutsideTheContractRefusesTheSegment(_ claimed: Int) {
        let chars = Array(Base64.urlEncode((0..<60).map { UInt8($0) }).utf8)  // 80 characters
        #expect(decodeBoth(chars, blocks: FakeBlocks(behaviour: .claims(claimed))).blocked == nil)
        #expect(decodeBoth(chars, blocks: FakeBlocks(behaviour: .invalid)).blocked == nil)
        #expect(decodeBoth(chars, blocks: FakeBlocks(behaviour: .claims(64))).blocked != nil)
    }

    /// The block decoder reaches the token's segments: a validation with one that refuses every
    /// block fails on base64url, with the portable decoder alone the same token parses.
    @Test func theTokenPathUsesTheBlockDecoder() {
        let header = Base64.urlEncode(Array(#"{"alg":"RS256","kid":"k1","typ":"JWT","pad":"0123456789012345678901234"}"#.utf8))
        let payload = Base64.urlEncode(Array(#"{"iss":"https://issuer.example/","sub":"0123456789abcdef0123456789abcdef"}"#.utf8))
        let token = header + "." + payload + "." + Base64.urlEncode([UInt8](repeating: 1, count: 256))
        guard case .success = CompactJWS.parse(token, maxBytes: 16_384) else {
            Issue.record("the token should parse")
            return
        }
        guard case .failure(let rejection) = CompactJWS.parse(token, maxBytes: 16_384, blocks: FakeBlocks(behaviour: .invalid)) else {
            Issue.record("a refusing block decoder must fail the token")
            return
        }
        #expect(rejection.code == .malformed)
        guard case .success = CompactJWS.parse(token, maxBytes: 16_384, blocks: FakeBlocks(behaviour: .correct)) else {
            Issue.record("a correct block decoder must not change the verdict")
            return
        }
    }
}

/// JCFedSystem's AVX2 decoder (CByteKernels) against the core's portable decoder.
@Suite struct SIMDBase64URLBlocksTests {
    /// On a CPU with AVX2 (every x86-64 server of the last decade) the decoder must be in use,
    /// so that the tests below test it and the module gets it.
    @Test func isInUseWhereTheCPUHasAVX2() throws {
        var cpuinfo = ""
        if case .success(let file) = SecureFolder.read("/proc/cpuinfo", owner: 0) {
            cpuinfo = String(decoding: file.bytes, as: UTF8.self)
        }
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        let hasAVX2 = flags.split(separator: " ").contains("avx2")
        #expect(SIMDBase64URLBlocks.isAvailable == hasAVX2, "cpuinfo flags: \(flags)")
        if hasAVX2 {
            let chars = Array(Base64.urlEncode([UInt8](repeating: 0x5A, count: 72)).utf8)  // 96 characters
            var out = [UInt8](repeating: 0, count: 72)
            let n = chars.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { SIMDBase64URLBlocks().decodeBlocks(input, into: $0) }
            }
            #expect(n == 96)
            #expect(out == [UInt8](repeating: 0x5A, count: 72))
        }
    }

    @Test func agreesWithThePortableDecoder() {
        var source = CharSource(state: 11)
        for round in 0..<20_000 {
            let chars = source.text(source.next(400), spoil: round % 2 == 0)
            let (plain, blocked) = decodeBoth(chars, blocks: SIMDBase64URLBlocks())
            #expect(plain == blocked, "\(chars)")
        }
    }

    /// Every byte value at every position of two blocks and a tail: accepted exactly when it is
    /// in the alphabet ('-' and '_' included, '+', '/', '=', NUL, DEL and bytes >= 0x80 not).
    @Test func everyByteAtEveryPosition() {
        let base = Array(Base64.urlEncode((0..<51).map { UInt8($0 &* 5) }).utf8)  // 68 characters
        let alphabet = Set(CharSource.alphabet)
        for position in base.indices {
            for value in 0...255 {
                var chars = base
                chars[position] = UInt8(value)
                let (plain, blocked) = decodeBoth(chars, blocks: SIMDBase64URLBlocks())
                #expect(plain == blocked, "byte \(value) at \(position)")
                if position < 64 { #expect((blocked != nil) == alphabet.contains(UInt8(value)), "byte \(value) at \(position)") }
            }
        }
    }

    /// Every value of every 6-bit position decodes to the portable decoder's bytes.
    @Test func everyValueDecodesLikeThePortableDecoder() {
        for shift in 0..<64 {
            let chars = (0..<128).map { CharSource.alphabet[($0 + shift) % 64] }
            let (plain, blocked) = decodeBoth(chars, blocks: SIMDBase64URLBlocks())
            #expect(plain != nil)
            #expect(plain == blocked)
        }
    }
}
