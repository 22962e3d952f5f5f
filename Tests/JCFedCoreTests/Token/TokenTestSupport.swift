import JCFedCore

enum CoreFixture {
    static let tenant = TestIdP.tenant
    static let client = TestIdP.client
    static let issuer = "https://login.microsoftonline.com/\(tenant)/v2.0"
    static let now: Int64 = 1_700_000_000
    /// 2048-bit modulus shape (the fake verifier does no arithmetic).
    static let modulus: [UInt8] = [0xC1] + [UInt8](repeating: 0x5A, count: 255)
    static let key = JWK(kid: "k1", issuer: "https://login.microsoftonline.com/{tenantid}/v2.0",
                         material: .rsa(n: modulus, e: [1, 0, 1]))

    static func context(keys: [JWK] = [key], tenantID: String? = tenant, clientID: String = client,
                        allowed: Set<JWSAlgorithm> = JWSAlgorithm.entraAllowList) -> ValidationContext {
        ValidationContext(issuer: issuer, tenantID: tenantID, clientID: clientID, allowedAlgorithms: allowed,
                          keys: keys, now: now, clockSkew: 60)
    }

    static let claimsJSON = """
        {"iss":"\(issuer)","aud":"\(client)","tid":"\(tenant)","oid":"oid-1","sub":"sub-1",\
        "iat":\(now - 10),"nbf":\(now - 10),"exp":\(now + 3600),"upn":"alice@contoso.com"}
        """

    static func claims(_ json: String = claimsJSON) -> JWTClaims {
        guard case .success(let value) = JSONParser.parse(json), let object = value.objectValue else {
            return JWTClaims([:])
        }
        return JWTClaims(object)
    }

    /// header.payload.signature with base64url of the given texts and a dummy signature.
    static func token(header: String = #"{"alg":"RS256","kid":"k1"}"#, payload: String = claimsJSON,
                      signature: [UInt8] = [1, 2, 3]) -> String {
        Base64.urlEncode(Array(header.utf8)) + "." + Base64.urlEncode(Array(payload.utf8)) + "."
            + Base64.urlEncode(signature)
    }
}
