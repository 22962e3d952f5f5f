/// Member names for `JSONParser.memberSlots`, found by fingerprint in a small open-addressing
/// table whose buckets hold everything a lookup reads (fingerprint, slot, where the name's
/// bytes are): a key of the top level of a token costs one bucket read, not a read of the
/// bucket, then of the fingerprints, then of the names' ends (each a bounds check of its own).
struct JSONMemberNames: Sendable {
    /// One name per filled bucket; `slot` is -1 in an empty one.
    private struct Bucket: Sendable {
        var fingerprint: UInt64 = 0
        var slot = -1
        /// The name's bytes: `bytes[start..<end]`.
        var start = 0
        var end = 0
    }

    /// Every name's UTF-8 bytes, one after another.
    private let bytes: [UInt8]
    /// `buckets[JSONScanner.spread(fingerprint) & (buckets.count - 1)]` and the ones after it,
    /// wrapping. A power of two, at least twice the names, so a probe ends at an empty bucket.
    private let buckets: [Bucket]
    let count: Int

    init(_ names: [String]) {
        var bytes: [UInt8] = []
        var size = 8
        while size < 2 * names.count { size *= 2 }
        var buckets = [Bucket](repeating: Bucket(), count: size)
        for (slot, name) in names.enumerated() {
            let start = bytes.count
            bytes.append(contentsOf: name.utf8)
            let fingerprint = JSONScanner.fingerprint(bytes, start..<bytes.count)
            var b = JSONScanner.spread(fingerprint) & (size - 1)
            while buckets[b].slot >= 0 { b = (b + 1) & (size - 1) }
            buckets[b] = Bucket(fingerprint: fingerprint, slot: slot, start: start, end: bytes.count)
        }
        self.bytes = bytes
        self.buckets = buckets
        count = names.count
    }

    /// Which name `keys[key]` (whose fingerprint is `fingerprint`) is, if any. A short key's
    /// fingerprint is its bytes and length (`JSONScanner.fingerprint`): equal to a name's, it
    /// is that name, with no bytes to compare.
    func index(of key: Range<Int>, fingerprint: UInt64, in keys: [UInt8]) -> Int? {
        let mask = buckets.count - 1
        var b = JSONScanner.spread(fingerprint) & mask
        // At most one pass over the table (it always has an empty bucket, so it ends sooner).
        for _ in 0..<buckets.count {
            let bucket = buckets[b]
            guard bucket.slot >= 0 else { return nil }
            // A long name's fingerprint (a hash) may equal a short key's (its bytes): the
            // lengths are compared first.
            if bucket.fingerprint == fingerprint, bucket.end - bucket.start == key.count {
                if key.count <= JSONScanner.shortKey || sameBytes(bucket, key, keys) { return bucket.slot }
            }
            b = (b + 1) & mask
        }
        return nil
    }

    /// Whether the name in `bucket` is the bytes `keys[key]` (a long key whose fingerprint,
    /// a hash, matched).
    private func sameBytes(_ bucket: Bucket, _ key: Range<Int>, _ keys: [UInt8]) -> Bool {
        guard bucket.start <= bucket.end else { return false }
        return JSONScanner.equal(bytes, bucket.start..<bucket.end, keys, key)
    }
}
