// The claims Entra puts in a v2 ID token and a Graph access token for a user of a tenant.
import Foundation

enum Claims {
    /// `sub` is pairwise: stable for one user and one app, different across apps.
    static func pairwiseSub(oid: String, clientID: String, tenantID: String) -> String {
        String(Encoding.base64url(Encoding.sha256("sub|" + tenantID + "|" + clientID + "|" + oid.lowercased()))
            .prefix(43))
    }

    static func idToken(
        user: Fixture.User, tenantID: String, clientID: String, baseURL: String, now: Int
    ) -> JSON {
        var pairs: [(String, JSON)] = [
            ("aud", .string(clientID)),
            ("iss", .string(baseURL + "/" + tenantID + "/v2.0")),
            ("iat", .int(now)),
            ("nbf", .int(now)),
            ("exp", .int(now + 3600)),
            ("aio", .string(Encoding.base64url(Encoding.randomBytes(48)))),
        ]
        if let email = user.email { pairs.append(("email", .string(email))) }
        if let groups = user.groups, !groups.isEmpty { pairs.append(("groups", .strings(groups))) }
        pairs += [
            ("name", .string(user.name ?? user.upn)),
            ("oid", .string(user.oid)),
            ("preferred_username", .string(user.preferred_username ?? user.upn)),
            ("rh", .string("1.A" + Encoding.base64url(Encoding.randomBytes(42)) + ".")),
            ("sid", .string(Encoding.guid())),
            ("sub", .string(pairwiseSub(oid: user.oid, clientID: clientID, tenantID: tenantID))),
            ("tid", .string(tenantID)),
            ("upn", .string(user.upn)),
            ("uti", .string(Encoding.base64url(Encoding.randomBytes(16)))),
            ("ver", "2.0"),
        ]
        if let edov = user.xms_edov { pairs.append(("xms_edov", .bool(edov))) }
        return .object(pairs)
    }

    static func accessToken(
        user: Fixture.User, tenantID: String, clientID: String, appName: String, scopes: [String], now: Int
    ) -> JSON {
        [
            "aud": "00000003-0000-0000-c000-000000000000",
            "iss": .string("https://sts.windows.net/" + tenantID + "/"),
            "iat": .int(now),
            "nbf": .int(now),
            "exp": .int(now + 3600),
            "app_displayname": .string(appName),
            "appid": .string(clientID),
            "idtyp": "user",
            "name": .string(user.name ?? user.upn),
            "oid": .string(user.oid),
            "scp": .string(scopes.joined(separator: " ")),
            "sub": .string(pairwiseSub(oid: user.oid, clientID: "graph", tenantID: tenantID)),
            "tid": .string(tenantID),
            "unique_name": .string(user.upn),
            "upn": .string(user.upn),
            "uti": .string(Encoding.base64url(Encoding.randomBytes(16))),
            "ver": "1.0",
        ]
    }

    /// MSAL's `client_info=1`: base64url of {"uid":oid,"utid":tid}, unpadded.
    static func clientInfo(oid: String, tenantID: String) -> String {
        Encoding.base64url((["uid": .string(oid), "utid": .string(tenantID)] as JSON).serialized())
    }
}
