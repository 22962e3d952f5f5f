// `POST /{tenant}/oauth2/v2.0/devicecode`: issue a user code and a device code.
import Foundation

enum DeviceAuthorization {
    static func handle(
        tenant: Fixture.Tenant, form: [String: String], clientSecret: String?, state: EmulatorState,
        baseURL: String, correlationID: String?
    ) async -> Reply {
        func fail(_ e: EntraError) -> Reply { e.reply(baseURL: baseURL, correlationID: correlationID) }

        guard let clientID = form["client_id"], !clientID.isEmpty else { return fail(.missingParameter("client_id")) }
        guard let app = tenant.app(clientID) else { return fail(.unknownClient(clientID, tenant: tenant.id)) }
        guard let scope = form["scope"], !scope.trimmingCharacters(in: .whitespaces).isEmpty else {
            return fail(.missingParameter("scope"))
        }
        if let secret = clientSecret {
            if app.isPublic { return fail(.publicClientSentSecret) }
            if secret != app.secret { return fail(.wrongSecret(clientID)) }
        }

        let fixture = state.fixture
        let interval = await state.intervalOverride ?? fixture.interval ?? 5
        let expiresIn = await state.expiresInOverride ?? fixture.expires_in ?? 900
        let now = Encoding.nowMillis()
        let record = DeviceCodeRecord(
            deviceCode: DeviceCodeRecord.newDeviceCode(),
            userCode: DeviceCodeRecord.newUserCode(),
            tenantID: tenant.id,
            clientID: app.client_id,
            scopes: scope.split(separator: " ").map(String.init),
            createdMs: now,
            expiresAtMs: now + expiresIn * 1000)
        await state.addCode(record)

        let verificationURI = baseURL + "/devicelogin"
        let body: JSON = [
            "user_code": .string(record.userCode),
            "device_code": .string(record.deviceCode),
            "verification_uri": .string(verificationURI),
            "expires_in": .int(expiresIn),
            "interval": .int(interval),
            "message": .string(
                "To sign in, use a web browser to open the page \(verificationURI) and enter the code \(record.userCode) to authenticate."
            ),
        ]
        return Reply.json(body)
    }
}
