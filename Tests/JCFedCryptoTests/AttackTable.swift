import JCFedCore

/// The rows of TokenAttackTests. Each row is built from a good Entra token by one change.
/// Header, key and signature rows here; shape and claim rows in AttackTable+Claims.swift.
enum AttackTable {
    static let rows: [Attack] =
        algorithmRows + keyRows + signatureRows + shapeRows + lifetimeRows + audienceRows + issuerRows + claimRows

    // MARK: helpers

    static let goodInput = b64(Entra.header().text) + "." + b64(Entra.claims().text)
    static let goodSignature = TestKeys.rsa.sign(.rs256, Array(goodInput.utf8))

    /// Signature segment from an explicit signing function over header.payload.
    static func sign(_ header: RawObject, _ claims: RawObject, _ signer: ([UInt8]) -> [UInt8]) -> String {
        let input = b64(header.text) + "." + b64(claims.text)
        return input + "." + Base64.urlEncode(signer(Array(input.utf8)))
    }

    static func claims(_ change: (RawObject) -> RawObject) -> String {
        Token.signed(Entra.header(), change(Entra.claims()))
    }

    static func segments(_ token: String) -> [String] {
        token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    static func replacing(_ token: String, segment: Int, with text: String) -> String {
        var parts = segments(token)
        parts[segment] = text
        return parts.joined(separator: ".")
    }

    static func flipFirstCharacter(_ segment: String) -> String {
        guard let first = segment.first else { return segment }
        return (first == "A" ? "B" : "A") + segment.dropFirst()
    }

    /// The good header, base64url-encoded with non-zero unused bits in its last character
    /// (whitespace is added to the JSON until the length leaves such bits).
    static var nonCanonicalHeader: String {
        var text = Entra.header().text
        while text.utf8.count % 3 != 1 { text += " " }
        let canonical = b64(text)
        guard let last = canonical.last else { return canonical }
        // A canonical last character has its unused low bits zero; the next letter sets one.
        let bumped: Character = switch last { case "A": "B"; case "Q": "R"; case "g": "h"; case "w": "x"; default: "?" }
        return canonical.dropLast() + String(bumped)
    }

    static var oidcKeys: [JWK] {
        [TestKeys.rsa.jwk(kid: "rsa1"), TestKeys.ec.jwk(kid: "ec1")]
    }

    // MARK: rows

    static var algorithmRows: [Attack] {
        let hsHeader = Entra.header(alg: "HS256")
        return [
            Attack(name: "alg none", built: "alg \"none\", empty signature", reason: "unsigned tokens prove nothing",
                   expected: .algorithmNotAllowed, token: b64(Entra.header(alg: "none").text) + "." + b64(Entra.claims().text) + "."),
            Attack(name: "alg None", built: "alg \"None\", empty signature", reason: "case variants of none",
                   expected: .algorithmNotAllowed, token: b64(Entra.header(alg: "None").text) + "." + b64(Entra.claims().text) + "."),
            Attack(name: "alg NONE", built: "alg \"NONE\", empty signature", reason: "case variants of none",
                   expected: .algorithmNotAllowed, token: b64(Entra.header(alg: "NONE").text) + "." + b64(Entra.claims().text) + "."),
            Attack(name: "alg none with a real signature", built: "alg none, the good RS256 signature kept",
                   reason: "alg comes from the allow-list, not from the token", expected: .algorithmNotAllowed,
                   token: b64(Entra.header(alg: "none").text) + "." + b64(Entra.claims().text) + "." + Base64.urlEncode(goodSignature)),
            Attack(name: "HS256 keyed with the RSA public key", built: "HMAC-SHA256 with the PEM public key as secret",
                   reason: "key confusion: the public key must never become an HMAC secret", expected: .algorithmNotAllowed,
                   token: sign(hsHeader, Entra.claims()) { TestKey.hmac("HS256", key: TestKeys.rsa.publicPEM, $0) }),
            Attack(name: "HS384 keyed with the RSA public key", built: "HMAC-SHA384 with the PEM public key",
                   reason: "no HMAC algorithm is ever accepted", expected: .algorithmNotAllowed,
                   token: sign(Entra.header(alg: "HS384"), Entra.claims()) { TestKey.hmac("HS384", key: TestKeys.rsa.publicPEM, $0) }),
            Attack(name: "HS512 keyed with the modulus", built: "HMAC-SHA512 with n as secret",
                   reason: "no HMAC algorithm is ever accepted", expected: .algorithmNotAllowed,
                   token: sign(Entra.header(alg: "HS512"), Entra.claims()) { message in
                       guard case .rsa(let n, _) = TestKeys.rsa.material else { return [] }
                       return TestKey.hmac("HS512", key: n, message)
                   }),
            Attack(name: "alg lowercase rs256", built: "alg \"rs256\", valid RS256 signature",
                   reason: "algorithm names are case-sensitive", expected: .algorithmNotAllowed,
                   token: Token.signed(Entra.header(alg: "rs256"), Entra.claims())),
            Attack(name: "alg ES384 unsupported", built: "alg ES384", reason: "not in any allow-list",
                   expected: .algorithmNotAllowed, token: Token.signed(Entra.header(alg: "ES384"), Entra.claims())),
            Attack(name: "alg RSA-OAEP", built: "an encryption algorithm as alg", reason: "not a signature algorithm",
                   expected: .algorithmNotAllowed, token: Token.signed(Entra.header(alg: "RSA-OAEP"), Entra.claims())),
            Attack(name: "PS256 against the Entra allow-list", built: "valid PS256 signature with the configured key",
                   reason: "Entra signs RS256 only; the azure allow-list has nothing else", expected: .algorithmNotAllowed,
                   token: Token.signed(Entra.header(alg: "PS256"), Entra.claims(), algorithm: .ps256)),
            Attack(name: "alg missing", built: "header without alg", reason: "no algorithm, no verification",
                   expected: .algorithmNotAllowed, token: Token.signed(Entra.header().without("alg"), Entra.claims())),
            Attack(name: "alg not a string", built: "alg [\"RS256\"]", reason: "alg must be a string",
                   expected: .algorithmNotAllowed, token: Token.signed(Entra.header().with("alg", #"["RS256"]"#), Entra.claims())),
            Attack(name: "crit header", built: "crit [\"exp\"], validly signed", reason: "we understand no critical extension",
                   expected: .criticalHeader, token: Token.signed(Entra.header().with("crit", #"["exp"]"#), Entra.claims())),
            Attack(name: "crit empty", built: "crit [], validly signed", reason: "crit is refused in any form",
                   expected: .criticalHeader, token: Token.signed(Entra.header().with("crit", "[]"), Entra.claims())),
        ]
    }

    static var keyRows: [Attack] {
        let attackerJWK = TestKeys.attacker.jwkJSON(kid: Entra.kid)
        let shortKey = TestKeys.rsa1024.jwk(kid: "short")
        let encKey = TestKeys.rsa.jwk(kid: "enc", use: "enc")
        let shortSet = try? JWKSet.parse(Array(("{\"keys\":[" + TestKeys.rsa1024.jwkJSON(kid: "short") + "]}").utf8)).get()
        let encSet = try? JWKSet.parse(Array(("{\"keys\":[" + TestKeys.rsa.jwkJSON(kid: "enc", extra: #""use":"enc""#) + "]}").utf8)).get()
        return [
            Attack(name: "jku to attacker keys", built: "jku https://evil.example/keys, signed by the attacker's key with the configured kid",
                   reason: "jku is never fetched; only configured keys count", expected: .badSignature,
                   token: Token.signed(Entra.header().with("jku", quote("https://evil.example/keys")), Entra.claims(), key: TestKeys.attacker)),
            Attack(name: "x5u to attacker certificate", built: "x5u https://evil.example/cert.pem, attacker-signed",
                   reason: "x5u is never fetched", expected: .badSignature,
                   token: Token.signed(Entra.header().with("x5u", quote("https://evil.example/cert.pem")), Entra.claims(), key: TestKeys.attacker)),
            Attack(name: "embedded jwk header", built: "jwk = attacker public key, configured kid, attacker-signed",
                   reason: "a token cannot bring its own key", expected: .badSignature,
                   token: Token.signed(Entra.header().with("jwk", attackerJWK), Entra.claims(), key: TestKeys.attacker)),
            Attack(name: "embedded x5c header", built: "x5c with a fake certificate, attacker-signed",
                   reason: "x5c is ignored", expected: .badSignature,
                   token: Token.signed(Entra.header().with("x5c", #"["MIIBfake"]"#), Entra.claims(), key: TestKeys.attacker)),
            Attack(name: "embedded jwk with its own kid", built: "jwk = attacker key, kid of that key only",
                   reason: "only configured kids select keys", expected: .unknownKid,
                   token: Token.signed(Entra.header(kid: "attacker").with("jwk", TestKeys.attacker.jwkJSON(kid: "attacker")),
                                       Entra.claims(), key: TestKeys.attacker)),
            Attack(name: "unknown kid", built: "kid not in the key set", reason: "no configured key; caller may refresh once",
                   expected: .unknownKid, token: Token.signed(Entra.header(kid: "rotated-away"), Entra.claims())),
            Attack(name: "kid path traversal", built: "kid ../../etc/passwd", reason: "kid is only compared, never used as a path",
                   expected: .unknownKid, token: Token.signed(Entra.header(kid: "../../etc/passwd"), Entra.claims())),
            Attack(name: "kid SQL injection", built: "kid ' OR 1=1 --", reason: "kid is only compared",
                   expected: .unknownKid, token: Token.signed(Entra.header(kid: "' OR 1=1 --"), Entra.claims())),
            Attack(name: "kid of 10 KB", built: "kid of 10240 characters", reason: "a long kid matches nothing and costs nothing",
                   expected: .unknownKid, token: Token.signed(Entra.header(kid: String(repeating: "k", count: 10240)), Entra.claims())),
            Attack(name: "kid with NUL", built: "kid = configured kid + \\u0000", reason: "no C-string truncation",
                   expected: .unknownKid, token: Token.signed(Entra.header(kid: Entra.kid + "\u{0}"), Entra.claims())),
            Attack(name: "kid not a string", built: "kid 42", reason: "kid must be a string",
                   expected: .malformed, token: Token.signed(Entra.header().with("kid", "42"), Entra.claims())),
            Attack(name: "key shorter than 2048 bits", built: "1024-bit RSA key configured directly, token signed with it",
                   reason: "1024-bit RSA is breakable", expected: .keyUnusable,
                   token: Token.signed(Entra.header(kid: "short"), Entra.claims(), key: TestKeys.rsa1024),
                   context: Entra.context(keys: [shortKey])),
            Attack(name: "short key through a JWK Set", built: "1024-bit key served in the JWKS",
                   reason: "the JWKS parser drops it, so its kid is unknown", expected: .unknownKid,
                   token: Token.signed(Entra.header(kid: "short"), Entra.claims(), key: TestKeys.rsa1024),
                   context: Entra.context(keys: shortSet?.keys ?? [shortKey])),
            Attack(name: "key with use enc", built: "configured key has use=enc, token signed with it",
                   reason: "an encryption key must not verify signatures", expected: .keyUnusable,
                   token: Token.signed(Entra.header(kid: "enc"), Entra.claims()), context: Entra.context(keys: [encKey])),
            Attack(name: "use enc through a JWK Set", built: "JWKS key with use=enc",
                   reason: "the JWKS parser drops it", expected: .unknownKid,
                   token: Token.signed(Entra.header(kid: "enc"), Entra.claims()),
                   context: Entra.context(keys: encSet?.keys ?? [encKey])),
            Attack(name: "EC key named by an RS256 token", built: "alg RS256, kid of the P-256 key (oidc)",
                   reason: "a key is used only with its own algorithm family", expected: .keyUnusable,
                   token: Token.signed(Entra.header(kid: "ec1"), OIDC.claims()), context: OIDC.context(keys: oidcKeys)),
            Attack(name: "key alg mismatch", built: "key declares alg RS384, token RS256",
                   reason: "a key's alg binds it", expected: .keyUnusable, token: Token.good,
                   context: Entra.context(keys: [TestKeys.rsa.jwk(kid: Entra.kid, alg: "RS384", issuer: Entra.keyIssuer)])),
        ]
    }

    static var signatureRows: [Attack] {
        let good = Token.good
        let parts = segments(good)
        let tamperedPayload = b64(Entra.claims().with("upn", quote("admin@contoso.com")).text)
        let tamperedHeader = b64(Entra.header().with("typ", quote("at+jwt")).text)
        let ecHeader = Entra.header(alg: "ES256", kid: "ec1")
        let ecInput = b64(ecHeader.text) + "." + b64(OIDC.claims().text)
        let ecRaw = TestKeys.ec.sign(.es256, Array(ecInput.utf8))
        let ecDER = TestKeys.ec.digestSign(.es256, Array(ecInput.utf8))
        let sig = goodSignature
        return [
            Attack(name: "tampered payload", built: "upn changed after signing", reason: "the signature covers the payload",
                   expected: .badSignature, token: replacing(good, segment: 1, with: tamperedPayload)),
            Attack(name: "tampered header", built: "typ changed after signing", reason: "the signature covers the header",
                   expected: .badSignature, token: replacing(good, segment: 0, with: tamperedHeader)),
            Attack(name: "tampered signature", built: "first signature character changed", reason: "bad signature",
                   expected: .badSignature, token: replacing(good, segment: 2, with: flipFirstCharacter(parts[2]))),
            Attack(name: "signature stripped", built: "RS256 header, empty signature segment", reason: "no signature",
                   expected: .badSignature, token: parts[0] + "." + parts[1] + "."),
            Attack(name: "signed by another key with our kid", built: "attacker key, configured kid",
                   reason: "only the configured key's signature counts", expected: .badSignature,
                   token: Token.signed(Entra.header(), Entra.claims(), key: TestKeys.attacker)),
            Attack(name: "signature one byte short", built: "last byte of the RSA signature removed",
                   reason: "RSA signatures are exactly the modulus length", expected: .badSignature,
                   token: parts[0] + "." + parts[1] + "." + Base64.urlEncode(Array(sig.dropLast()))),
            Attack(name: "signature with a zero byte prepended", built: "0x00 + signature",
                   reason: "RSA signatures are exactly the modulus length", expected: .badSignature,
                   token: parts[0] + "." + parts[1] + "." + Base64.urlEncode([0] + sig)),
            Attack(name: "tampered and expired", built: "payload changed to an expired one, signature kept",
                   reason: "the signature is checked before any claim", expected: .badSignature,
                   token: replacing(good, segment: 1, with: b64(Entra.claims().with("exp", "1").text))),
            Attack(name: "ES256 signature in DER", built: "ES256 token carrying OpenSSL's DER signature",
                   reason: "JWS ES256 is raw r||s (64 bytes)", expected: .badSignature,
                   token: ecInput + "." + Base64.urlEncode(ecDER), context: OIDC.context(keys: oidcKeys)),
            Attack(name: "ES256 signature truncated", built: "63 of the 64 raw bytes", reason: "wrong length",
                   expected: .badSignature, token: ecInput + "." + Base64.urlEncode(Array(ecRaw.dropLast())),
                   context: OIDC.context(keys: oidcKeys)),
            Attack(name: "ES256 zero signature", built: "64 zero bytes (r = s = 0)", reason: "r and s must be in [1, n-1]",
                   expected: .badSignature, token: ecInput + "." + Base64.urlEncode([UInt8](repeating: 0, count: 64)),
                   context: OIDC.context(keys: oidcKeys)),
        ]
    }
}
