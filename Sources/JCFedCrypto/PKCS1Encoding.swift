import JCFedCore

/// EMSA-PKCS1-v1_5 (RFC 8017 §9.2) for RS256/384/512, checked the way §8.2.2 steps 3-4 say:
/// the expected encoding of the digest is compared with the whole encoded message, never parsed
/// out of it. So there is nothing to be lenient about: one encoding passes, the one with
///
///     0x00 0x01 | 0xFF x (k - 3 - tLen), at least 8 | 0x00 | DigestInfo prefix | digest
///
/// where the DigestInfo has the NULL parameters of §9.2 Note 1 (the form OpenSSL makes and
/// checks). No garbage after the digest, no short padding, no other hash can match.
enum PKCS1Encoding {
    /// The DER of DigestInfo up to the digest: SEQUENCE { AlgorithmIdentifier { OID, NULL },
    /// OCTET STRING of the digest's length } (RFC 8017 §9.2 Note 1). Made once.
    static let sha256Prefix: [UInt8] = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
                                        0x02, 0x01, 0x05, 0x00, 0x04, 0x20]
    static let sha384Prefix: [UInt8] = [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
                                        0x02, 0x02, 0x05, 0x00, 0x04, 0x30]
    static let sha512Prefix: [UInt8] = [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
                                        0x02, 0x03, 0x05, 0x00, 0x04, 0x40]

    static func digestInfoPrefix(_ algorithm: JWSAlgorithm) -> [UInt8]? {
        switch algorithm {
        case .rs256: return sha256Prefix
        case .rs384: return sha384Prefix
        case .rs512: return sha512Prefix
        case .ps256, .es256: return nil
        }
    }

    /// The shortest padding string allowed (§9.2 step 5: "at least 8 octets").
    static let minimumPadding = 8

    /// Whether `encoded` (k bytes) is exactly the encoding of `digest` for `algorithm`.
    static func matches(_ encoded: UnsafeBufferPointer<UInt8>, digest: UnsafeBufferPointer<UInt8>,
                        algorithm: JWSAlgorithm) -> Bool {
        guard let prefix = digestInfoPrefix(algorithm), let last = prefix.last,
              digest.count == Int(last) else { return false }
        let padding = encoded.count - 3 - prefix.count - digest.count
        guard padding >= minimumPadding else { return false }
        // encoded.count == 3 + padding + prefix.count + digest.count: every index below is in it.
        var differs = encoded[0] | (encoded[1] ^ 0x01)
        var i = 2
        while i < 2 + padding {
            differs |= encoded[i] ^ 0xFF
            i += 1
        }
        differs |= encoded[i]
        i += 1
        for byte in prefix {
            differs |= encoded[i] ^ byte
            i += 1
        }
        for byte in digest {
            differs |= encoded[i] ^ byte
            i += 1
        }
        return differs == 0 && i == encoded.count
    }
}

extension JWSAlgorithm {
    /// RS256, RS384 and RS512: RSASSA-PKCS1-v1_5.
    var isPKCS1: Bool { PKCS1Encoding.digestInfoPrefix(self) != nil }
}
