// `POST /{tenant}/oauth2/v2.0/token` for the device code grant, with Entra's client authentication
// rules and error answers.
import Foundation

enum TokenEndpoint {
    static let deviceCodeGrants: Set<String> = ["urn:ietf:params:oauth:grant-type:device_code", "device_code"]

    static func handle(
        tenant: Fixture.Tenant, form: [String: String], clientSecret: String?, state: EmulatorState,
        baseURL: String, correlationID: String?
    ) async -> Reply {
        func fail(_ e: EntraError) -> Reply {
            e.reply(baseURL: baseURL, correlationID: correlationID)
        }

        guard let grantType = form["grant_type"], !grantType.isEmpty else {
            return fail(.missingParameter("grant_type"))
        }
        guard let clientID = form["client_id"], !clientID.isEmpty else {
            return fail(.missingParameter("client_id"))
        }
        guard let app = tenant.app(clientID) else { return fail(.unknownClient(clientID, tenant: tenant.id)) }

        // Client authentication, in Entra's order: a public client must not send a secret; a
        // confidential one must, and it must be right.
        if app.isPublic {
            if clientSecret != nil { return fail(.publicClientSentSecret) }
        } else {
            guard let secret = clientSecret else { return fail(.secretRequired) }
            if secret != app.secret { return fail(.wrongSecret(clientID)) }
        }

        guard deviceCodeGrants.contains(grantType) else { return fail(.unsupportedGrant(grantType)) }
        guard let deviceCode = form["device_code"] ?? form["code"], !deviceCode.isEmpty else {
            return fail(.missingParameter("device_code"))
        }

        // Entra does not enforce the polling interval; the slow_down fault makes the emulator send it.
        if await state.takeSlowDown() { return fail(.slowDown) }
        if let f = await state.activeFaults(for: .token), f.userThrottled {
            await state.consumeFault()
            return fail(.userThrottled)
        }

        guard let record = await state.code(device: deviceCode), record.tenantID == tenant.id else {
            return fail(.badCode)
        }
        guard record.clientID.lowercased() == app.client_id.lowercased() else {
            return fail(.codeForOtherClient)
        }
        if record.isExpired(nowMs: Encoding.nowMillis()) { return fail(.expired) }
        switch record.status {
        case .pending: return fail(.pending)
        case .declined: return fail(.declined)
        case .redeemed: return fail(.codeRedeemed)
        case .approved: break
        }
        guard let upn = await state.redeem(deviceCode: deviceCode), let user = tenant.user(upn: upn) else {
            return fail(.codeRedeemed)
        }

        let now = Encoding.nowSeconds()
        let keys = await state.keys
        var tokenFault: TokenFault?
        if let f = await state.activeFaults(for: .token), let fault = f.tokenFault {
            tokenFault = fault
            await state.consumeFault()
        }
        let grantedScopes = record.scopes.filter { $0 != "offline_access" }
        do {
            var pairs: [(String, JSON)] = [
                ("token_type", "Bearer"),
                ("scope", .string(grantedScopes.joined(separator: " "))),
                ("expires_in", 3599),
                ("ext_expires_in", 3599),
                ("access_token", .string(try JWT.accessToken(
                    claims: Claims.accessToken(
                        user: user, tenantID: tenant.id, clientID: app.client_id, appName: app.displayName,
                        scopes: grantedScopes, now: now),
                    key: keys.signing))),
            ]
            if record.scopes.contains("offline_access") {
                pairs.append(("refresh_token", .string("1.A" + Encoding.base64url(Encoding.randomBytes(240)))))
            }
            if record.scopes.contains("openid") {
                let claims = Claims.idToken(
                    user: user, tenantID: tenant.id, clientID: app.client_id, baseURL: baseURL, now: now)
                pairs.append(("id_token", .string(try JWT.idToken(
                    claims: claims, keys: keys, fault: tokenFault, now: now))))
            }
            if form["client_info"] == "1" {
                pairs.append(("client_info", .string(Claims.clientInfo(oid: user.oid, tenantID: tenant.id))))
            }
            var reply = Reply.json(.object(pairs))
            reply.note = "token issued for \(upn)" + (tokenFault.map { " with token_fault \($0.rawValue)" } ?? "")
            return reply
        } catch {
            return Reply.text("signing failed: \(error)", status: 500)
        }
    }
}
