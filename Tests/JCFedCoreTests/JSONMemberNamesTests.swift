import Testing
@testable import JCFedCore

/// The wanted-name table against a linear search: every name is found at its slot wherever its
/// bytes are, and nothing else is (keys of every length around the short-key limit, one byte
/// off, prefixes, extensions, the empty key, non-ASCII bytes).
@Suite struct JSONMemberNamesTests {
    static func linear(_ names: [[UInt8]], _ key: [UInt8]) -> Int? {
        names.firstIndex(of: key)
    }

    @Test func agreesWithALinearSearch() {
        var state: UInt64 = 5
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        let fixed = JWTClaims.Name.allCases.map { Array($0.text.utf8) } + [[], Array("é".utf8), Array("x\u{0}y".utf8)]
        for round in 0..<300 {
            // The token's claim names in the first round, random sets of names after.
            var names = fixed
            if round > 0 {
                names = []
                for _ in 0..<next(40) {
                    let name = (0..<next(20)).map { _ in UInt8(truncatingIfNeeded: 0x61 + next(4)) }
                    if !names.contains(name) { names.append(name) }
                }
            }
            let table = JSONMemberNames(names.map { String(decoding: $0, as: UTF8.self) })
            #expect(table.count == names.count)
            var keys = names
            for name in names {
                keys.append(name + [0x61])
                keys.append(Array(name.dropLast()))
                if !name.isEmpty {
                    var changed = name
                    changed[next(name.count)] ^= UInt8(1 << next(8))
                    keys.append(changed)
                }
            }
            for _ in 0..<50 { keys.append((0..<next(20)).map { _ in UInt8(truncatingIfNeeded: 0x61 + next(4)) }) }
            for key in keys {
                let before = (0..<next(9)).map { _ in UInt8(truncatingIfNeeded: next(256)) }
                let buffer = before + key + [0x22]
                let range = before.count..<(before.count + key.count)
                let found = table.index(of: range, fingerprint: JSONScanner.fingerprint(buffer, range), in: buffer)
                #expect(found == Self.linear(names, key), "\(key) in \(names)")
            }
        }
    }

    /// A key range outside its buffer never matches a long name (its bytes are not read).
    @Test func aRangeOutsideTheBufferIsNoName() {
        let table = JSONMemberNames(["preferred_username"])
        let name = Array("preferred_username".utf8)
        let fingerprint = JSONScanner.fingerprint(name, 0..<name.count)
        #expect(table.index(of: 0..<name.count, fingerprint: fingerprint, in: name) == 0)
        #expect(table.index(of: 4..<(4 + name.count), fingerprint: fingerprint, in: name) == nil)
    }
}
