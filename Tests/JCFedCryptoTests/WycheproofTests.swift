import Testing
import JCFedCore
@testable import JCFedCrypto

/// Project Wycheproof vectors through the module's own path: a JWK built from the group's
/// public key, OpenSSLVerifier.verify with the matching JWS algorithm. Every `valid` must
/// verify, every `invalid` must fail, `acceptable` may do either (and must not crash).
@Suite struct WycheproofTests {
    /// Files the issue names; each present file is run by `vectors(_:)`.
    static let expected = [
        "ecdsa_secp256r1_sha256_p1363_test.json", "rsa_pss_2048_sha256_mgf1_32_test.json",
        "rsa_signature_2048_sha256_test.json", "rsa_signature_2048_sha384_test.json",
        "rsa_signature_2048_sha512_test.json", "rsa_signature_3072_sha256_test.json",
        "rsa_signature_4096_sha256_test.json",
    ]

    @Test func vectorFolderIsFound() {
        #expect(WycheproofFiles.directory != nil, "the vendored vectors (Tests/vectors/wycheproof) are missing, or JCFED_WYCHEPROOF_DIR names no folder")
        let present = WycheproofFiles.names()
        #expect(!present.isEmpty)
        // Only the files present are required, but a run that checks none is no evidence.
        #expect(WycheproofTests.expected.contains(where: present.contains))
    }

    @Test(arguments: WycheproofFiles.names())
    func vectors(_ name: String) throws {
        let bytes = try #require(WycheproofFiles.read(name))
        let document = try JSONParser.parse(bytes, maxBytes: 8 << 20).get()
        let groups = try #require(document["testGroups"]?.arrayValue)
        // RS256/384/512 both ways: the key's own public operation (what the module uses with
        // OpenSSL's default provider) and EVP_PKEY_verify (with any other provider).
        try check("\(name) [public operation]", groups, with: OpenSSLVerifier())
        try check("\(name) [EVP_PKEY_verify]", groups, with: OpenSSLVerifier(directRSA: false))
    }

    func check(_ name: String, _ groups: [JSONValue], with verifier: OpenSSLVerifier) throws {
        var counts = (valid: 0, invalid: 0, acceptable: 0)
        for (index, group) in groups.enumerated() {
            let (algorithm, key) = try #require(Self.setup(group), "\(name) group \(index): unsupported parameters")
            for test in group["tests"]?.arrayValue ?? [] {
                let id = test["tcId"]?.int64Value ?? -1
                let message = try #require(test["msg"]?.stringValue.flatMap(hexBytes), "\(name) #\(id) msg")
                let signature = try #require(test["sig"]?.stringValue.flatMap(hexBytes), "\(name) #\(id) sig")
                let verified = verifier.verify(algorithm: algorithm, key: key, signingInput: message, signature: signature)
                switch test["result"]?.stringValue {
                case "valid":
                    counts.valid += 1
                    #expect(verified, "\(name) #\(id) valid signature rejected: \(test["comment"]?.stringValue ?? "")")
                case "invalid":
                    counts.invalid += 1
                    #expect(!verified, "\(name) #\(id) invalid signature accepted: \(test["comment"]?.stringValue ?? "")")
                case "acceptable":
                    counts.acceptable += 1
                default:
                    Issue.record("\(name) #\(id): unknown result")
                }
            }
        }
        #expect(counts.valid > 0 && counts.invalid > 0, "\(name): no vectors run")
    }

    /// The JWS algorithm and the JWK for one test group; nil for parameters JWS does not use.
    static func setup(_ group: JSONValue) -> (JWSAlgorithm, JWK)? {
        let sha = group["sha"]?.stringValue
        switch group["type"]?.stringValue {
        case "RsassaPkcs1Verify":
            let algorithm: JWSAlgorithm
            switch sha {
            case "SHA-256": algorithm = .rs256
            case "SHA-384": algorithm = .rs384
            case "SHA-512": algorithm = .rs512
            default: return nil
            }
            return rsaKey(group).map { (algorithm, $0) }
        case "RsassaPssVerify":
            guard sha == "SHA-256", group["mgf"]?.stringValue == "MGF1", group["mgfSha"]?.stringValue == "SHA-256",
                  group["sLen"]?.int64Value == 32 else { return nil }
            return rsaKey(group).map { (.ps256, $0) }
        case "EcdsaP1363Verify":
            guard sha == "SHA-256", group["publicKey"]?["curve"]?.stringValue == "secp256r1",
                  let x = group["publicKey"]?["wx"]?.stringValue.flatMap(hexBytes).flatMap({ coordinate($0) }),
                  let y = group["publicKey"]?["wy"]?.stringValue.flatMap(hexBytes).flatMap({ coordinate($0) })
            else { return nil }
            return (.es256, crossChecked(JWK(kid: nil, material: .ecP256(x: x, y: y)), group["publicKeyJwk"]))
        default:
            return nil
        }
    }

    /// RSA modulus and exponent from `publicKey` (hex, possibly with a leading 00).
    private static func rsaKey(_ group: JSONValue) -> JWK? {
        guard let n = group["publicKey"]?["modulus"]?.stringValue.flatMap(hexBytes),
              let e = group["publicKey"]?["publicExponent"]?.stringValue.flatMap(hexBytes) else { return nil }
        let key = JWK(kid: nil, material: .rsa(n: Array(n.drop(while: { $0 == 0 })), e: Array(e.drop(while: { $0 == 0 }))))
        return crossChecked(key, group["keyJwk"] ?? group["publicKeyJwk"])
    }

    /// A big-endian coordinate as exactly 32 bytes (Wycheproof adds a sign byte or drops zeros).
    private static func coordinate(_ bytes: [UInt8]) -> [UInt8]? {
        let digits = Array(bytes.drop(while: { $0 == 0 }))
        guard digits.count <= 32 else { return nil }
        return [UInt8](repeating: 0, count: 32 - digits.count) + digits
    }

    /// When the group also gives the key as a JWK, our JWK parser must read the same numbers.
    private static func crossChecked(_ key: JWK, _ jwk: JSONValue?) -> JWK {
        if let jwk = jwk, case .success(let parsed) = JWK.parse(jwk) {
            #expect(parsed.material == key.material, "JWK parser disagrees with the hex key")
        }
        return key
    }
}
