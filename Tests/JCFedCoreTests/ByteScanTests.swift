import Testing
@testable import JCFedCore

/// ByteScan's word tests against byte-by-byte answers: a missed byte would let a dot, a quote or
/// a control character through, so every position and every word edge is tried.
@Suite struct ByteScanTests {
    /// Bytes next to the ones looked for (borrows and carries between lanes are what could go wrong).
    static let alphabet: [UInt8] = [0x2E, 0x2D, 0x2F, 0xAE, 0x22, 0x23, 0x21, 0x5C, 0x5B, 0x5D, 0xDC,
                                    0x00, 0x01, 0x1F, 0x20, 0x7F, 0x80, 0x9F, 0xA0, 0xFF, 0x61, 0x41]

    private var state: UInt64 = 7
    private mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int(state >> 33) % bound
    }

    @Test mutating func firstAndLastIndexAgreeWithALoop() {
        for _ in 0..<5_000 {
            let bytes = (0..<next(40)).map { _ in Self.alphabet[next(Self.alphabet.count)] }
            let from = next(bytes.count + 2)
            bytes.withUnsafeBufferPointer { buffer in
                let first = from <= bytes.count ? bytes[from...].firstIndex(of: 0x2E) : nil
                #expect(ByteScan.firstIndex(of: 0x2E, in: buffer, from: from) == first, "\(bytes) from \(from)")
                #expect(ByteScan.lastIndex(of: 0x2E, in: buffer) == bytes.lastIndex(of: 0x2E), "\(bytes)")
                #expect(ByteScan.isASCII(buffer) == bytes.allSatisfy { $0 < 0x80 }, "\(bytes)")
            }
        }
    }

    @Test mutating func stringStopsAreExactPerByte() {
        for _ in 0..<20_000 {
            let bytes = (0..<8).map { _ in Self.alphabet[next(Self.alphabet.count)] }
            let word = bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            let expected = bytes.enumerated().reduce(UInt64(0)) { mask, item in
                let stop = item.element == 0x22 || item.element == 0x5C || item.element < 0x20
                return stop ? mask | UInt64(0x80) << (8 * UInt64(item.offset)) : mask
            }
            #expect(ByteScan.stringStops(in: word) == expected, "\(bytes)")
        }
    }
}
