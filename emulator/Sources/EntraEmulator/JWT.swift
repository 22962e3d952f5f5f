// Compact JWS building, plus the bad-token faults (`token_fault`) that the module's validator must reject.
import Crypto
import Foundation

enum TokenFault: String, CaseIterable {
    case wrongAud = "wrong_aud"
    case wrongIss = "wrong_iss"
    case wrongTid = "wrong_tid"
    case expired
    case futureNbf = "future_nbf"
    case algNone = "alg_none"
    case hs256
    case unknownKid = "unknown_kid"
    case tamperedSignature = "tampered_signature"
    case tamperedPayload = "tampered_payload"
    case missingOid = "missing_oid"
    case missingTid = "missing_tid"
    case missingExp = "missing_exp"
    case missingAud = "missing_aud"
    case audArrayNoAzp = "aud_array_no_azp"
}

enum JWT {
    static func encode(header: JSON, claims: JSON, key: SigningKey) throws -> String {
        let input = Encoding.base64url(header.serialized()) + "." + Encoding.base64url(claims.serialized())
        return input + "." + Encoding.base64url(try key.sign(input))
    }

    /// The ID token as Entra would issue it, then bent by `fault` (nil = a good token).
    static func idToken(claims: JSON, keys: KeyRing, fault: TokenFault?, now: Int) throws -> String {
        let key = keys.signing
        var claims = claims
        var header: JSON = ["typ": "JWT", "alg": "RS256", "kid": .string(key.kid)]
        switch fault {
        case nil, .algNone, .hs256, .unknownKid, .tamperedSignature, .tamperedPayload:
            break
        case .wrongAud:
            claims = claims.setting("aud", "00000000-0000-0000-0000-00000000bad0")
        case .wrongIss:
            // The right tenant on another host: only an exact issuer comparison catches it.
            if case .string(let tid)? = claims["tid"] {
                claims = claims.setting("iss", .string("https://attacker.invalid/" + tid + "/v2.0"))
            }
        case .wrongTid:
            claims = claims.setting("tid", "99999999-8888-7777-6666-555555555555")
        case .expired:
            claims = claims.setting("iat", .int(now - 7200)).setting("nbf", .int(now - 7200))
                .setting("exp", .int(now - 3600))
        case .futureNbf:
            claims = claims.setting("nbf", .int(now + 3600)).setting("exp", .int(now + 7200))
        case .missingOid:
            claims = claims.setting("oid", nil)
        case .missingTid:
            claims = claims.setting("tid", nil)
        case .missingExp:
            claims = claims.setting("exp", nil)
        case .missingAud:
            claims = claims.setting("aud", nil)
        case .audArrayNoAzp:
            if let aud = claims["aud"] {
                claims = claims.setting("aud", [aud, "00000003-0000-0000-c000-000000000000"]).setting("azp", nil)
            }
        }

        switch fault {
        case .algNone:
            header = ["typ": "JWT", "alg": "none"]
            return Encoding.base64url(header.serialized()) + "." + Encoding.base64url(claims.serialized()) + "."
        case .hs256:
            // Key confusion: HMAC keyed with the published RSA public key, as a naive verifier would.
            header = ["typ": "JWT", "alg": "HS256", "kid": .string(key.kid)]
            let input = Encoding.base64url(header.serialized()) + "." + Encoding.base64url(claims.serialized())
            let mac = HMAC<SHA256>.authenticationCode(
                for: Array(input.utf8), using: SymmetricKey(data: Array(key.publicKeyPEM.utf8)))
            return input + "." + Encoding.base64url(Array(mac))
        case .unknownKid:
            header = ["typ": "JWT", "alg": "RS256", "kid": .string(keys.rogue.kid)]
            return try encode(header: header, claims: claims, key: keys.rogue)
        case .tamperedSignature:
            let good = try encode(header: header, claims: claims, key: key)
            let parts = good.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, var sig = base64urlDecode(parts[2]), !sig.isEmpty else { return good }
            sig[sig.count / 2] ^= 0x01
            return parts[0] + "." + parts[1] + "." + Encoding.base64url(sig)
        case .tamperedPayload:
            let good = try encode(header: header, claims: claims, key: key)
            let parts = good.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { return good }
            let bent = claims.setting("preferred_username", "admin@contoso.com").setting("upn", "admin@contoso.com")
            return parts[0] + "." + Encoding.base64url(bent.serialized()) + "." + parts[2]
        default:
            return try encode(header: header, claims: claims, key: key)
        }
    }

    /// Like Entra's Graph access tokens: a JWS whose header `nonce` was replaced after signing, so it
    /// does not verify as a plain JWT (clients must never try; they validate the ID token only).
    static func accessToken(claims: JSON, key: SigningKey) throws -> String {
        let nonce = Encoding.base64url(Encoding.randomBytes(32))
        let signedHeader: JSON = [
            "typ": "JWT", "nonce": .string(Encoding.base64url(Encoding.sha256(nonce))),
            "alg": "RS256", "x5t": .string(key.kid), "kid": .string(key.kid),
        ]
        let shownHeader = signedHeader.setting("nonce", .string(nonce))
        let payload = Encoding.base64url(claims.serialized())
        let signature = try key.sign(Encoding.base64url(signedHeader.serialized()) + "." + payload)
        return Encoding.base64url(shownHeader.serialized()) + "." + payload + "." + Encoding.base64url(signature)
    }

    static func base64urlDecode(_ text: String) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Encoding.base64Decode(s)
    }
}
