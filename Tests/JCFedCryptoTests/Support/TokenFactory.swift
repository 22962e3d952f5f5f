import JCFedCore

/// A JSON object kept as ordered raw members, so a test can write exactly the bytes it wants:
/// duplicate keys, numbers as strings, values the strict parser must refuse.
struct RawObject: Sendable {
    var members: [(name: String, raw: String)]

    /// Replaces the member (first of that name) or appends it.
    func with(_ name: String, _ raw: String) -> RawObject {
        var copy = self
        if let i = copy.members.firstIndex(where: { $0.name == name }) {
            copy.members[i].raw = raw
        } else {
            copy.members.append((name, raw))
        }
        return copy
    }

    func without(_ name: String) -> RawObject {
        RawObject(members: members.filter { $0.name != name })
    }

    /// Appends even when the name exists (duplicate keys).
    func appending(_ name: String, _ raw: String) -> RawObject {
        RawObject(members: members + [(name, raw)])
    }

    var text: String { "{" + members.map { "\(quote($0.name)):\($0.raw)" }.joined(separator: ",") + "}" }
}

/// JSON string literal for `s`.
func quote(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

func b64(_ text: String) -> String { Base64.urlEncode(Array(text.utf8)) }

/// An Entra-shaped ID token world: one tenant, one app, one key, a fixed clock.
enum Entra {
    static let tenant = TestIdP.tenant
    static let otherTenant = TestIdP.otherTenant
    static let client = TestIdP.client
    static let otherClient = "00000003-0000-0000-c000-000000000000"
    static let now: Int64 = 1_700_000_000
    static let skew: Int64 = 60
    static let kid = "Mc7l3Iz93g7uwgNeEmmw_WYGPko"
    static let keyIssuer = "https://login.microsoftonline.com/{tenantid}/v2.0"
    static func issuer(_ tid: String = tenant) -> String { "https://login.microsoftonline.com/\(tid)/v2.0" }

    static func header(alg: String = "RS256", kid: String? = Entra.kid) -> RawObject {
        var header = RawObject(members: [("typ", quote("JWT")), ("alg", quote(alg))])
        if let kid = kid { header = header.with("kid", quote(kid)) }
        return header
    }

    static func claims() -> RawObject {
        RawObject(members: [
            ("aud", quote(client)), ("iss", quote(issuer())), ("iat", "\(now - 300)"), ("nbf", "\(now - 300)"),
            ("exp", "\(now + 3300)"), ("name", quote("Alice Example")), ("oid", quote("00000000-0000-0000-66f3-3332eca7ea81")),
            ("preferred_username", quote("alice@contoso.com")), ("email", quote("alice@contoso.com")),
            ("sub", quote("AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ")), ("tid", quote(tenant)),
            ("upn", quote("alice@contoso.com")), ("xms_edov", "true"), ("groups", #"["g1","g2"]"#), ("ver", quote("2.0")),
        ])
    }

    static var key: JWK { TestKeys.rsa.jwk(kid: kid, issuer: keyIssuer) }

    static func context(keys: [JWK]? = nil, allowed: Set<JWSAlgorithm> = JWSAlgorithm.entraAllowList,
                        now: Int64 = Entra.now) -> ValidationContext {
        ValidationContext(issuer: issuer(), tenantID: tenant, clientID: client, allowedAlgorithms: allowed,
                          keys: keys ?? [key], now: now, clockSkew: skew)
    }
}

/// A generic OIDC provider world (no tenant, every supported algorithm).
enum OIDC {
    static let issuer = "https://idp.example.com"
    static let client = "jcfed-client"

    static func claims() -> RawObject {
        RawObject(members: [
            ("iss", quote(issuer)), ("aud", quote(client)), ("sub", quote("user-42")),
            ("iat", "\(Entra.now - 10)"), ("exp", "\(Entra.now + 600)"), ("email", quote("bob@example.com")),
        ])
    }

    static func context(keys: [JWK]) -> ValidationContext {
        ValidationContext(issuer: issuer, tenantID: nil, clientID: client, allowedAlgorithms: JWSAlgorithm.oidcAllowList,
                          keys: keys, now: Entra.now, clockSkew: Entra.skew)
    }
}

enum Token {
    /// header.payload signed by `key` with `algorithm`.
    static func signed(_ header: RawObject, _ claims: RawObject, key: TestKey = TestKeys.rsa,
                       algorithm: JWSAlgorithm = .rs256) -> String {
        let input = b64(header.text) + "." + b64(claims.text)
        return input + "." + Base64.urlEncode(key.sign(algorithm, Array(input.utf8)))
    }

    /// Raw segments joined as they are.
    static func assemble(_ header: String, _ payload: String, _ signature: [UInt8]) -> String {
        b64(header) + "." + b64(payload) + "." + Base64.urlEncode(signature)
    }

    /// A good Entra RS256 token.
    static var good: String { signed(Entra.header(), Entra.claims()) }
}
