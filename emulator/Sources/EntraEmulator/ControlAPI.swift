// `/_control/...`: what tests use to play the person and the network (emulator/README.md, "Control API").
import Foundation

enum ControlAPI {
    static func handle(method: String, path: String, body: [UInt8], state: EmulatorState) async -> Reply {
        let route = String(path.dropFirst("/_control/".count))
        guard let input = JSON.parseObject(body) else { return problem("body must be a JSON object", 400) }

        switch (method, route) {
        case ("POST", "approve"):
            return await approve(input, state: state)
        case ("POST", "decline"):
            guard let record = await findCode(input, state: state) else { return problem("no such pending code", 404) }
            await state.setStatus(userCode: record.userCode, .declined)
            return Reply.json(["user_code": .string(record.userCode), "status": "declined"])
        case ("POST", "rotate-keys"):
            do {
                let kids = try await state.rotateKeys(keepPrevious: (input["keep_previous"] as? Bool) ?? false)
                return Reply.json(["kids": .strings(kids)])
            } catch {
                return problem("key generation failed: \(error)", 500)
            }
        case ("GET", "requests"):
            return Reply.json(await state.requestLog())
        case ("GET", "codes"):
            return Reply.json(await state.codesJSON())
        case ("GET", "faults"):
            return Reply.json(await state.faultsJSON())
        case ("POST", "faults"):
            do {
                await state.setFaults(try FaultSet.parse(input))
                return Reply.json(await state.faultsJSON())
            } catch {
                return problem("\(error)", 400)
            }
        case ("POST", "reset"):
            await state.reset()
            return Reply.json(["reset": true])
        case ("GET", "info"):
            let keys = await state.keys
            return Reply.json([
                "base_url": .string(await state.baseURL),
                "tenants": .strings(state.fixture.tenants.map(\.id)),
                "kids": .strings(keys.published.map(\.kid)),
            ])
        default:
            return problem("unknown control route \(method) \(path)", 404)
        }
    }

    private static func approve(_ input: [String: Any], state: EmulatorState) async -> Reply {
        guard let upn = input["upn"] as? String else { return problem("approve needs \"upn\"", 400) }
        guard let record = await findCode(input, state: state) else { return problem("no such pending code", 404) }
        guard let tenant = state.fixture.tenant(named: record.tenantID), let user = tenant.user(upn: upn) else {
            return problem("no user \(upn) in tenant \(record.tenantID)", 404)
        }
        await state.setStatus(userCode: record.userCode, .approved(upn: user.upn))
        return Reply.json([
            "user_code": .string(record.userCode), "status": "approved", "upn": .string(user.upn),
            "oid": .string(user.oid),
        ])
    }

    /// The code named by "user_code", else the newest pending one.
    private static func findCode(_ input: [String: Any], state: EmulatorState) async -> DeviceCodeRecord? {
        if let userCode = input["user_code"] as? String {
            guard let record = await state.code(user: userCode), record.status == .pending else { return nil }
            return record
        }
        return await state.newestPendingCode()
    }

    private static func problem(_ message: String, _ status: Int) -> Reply {
        var reply = Reply.json(["error": .string(message)], status: status)
        reply.note = message
        return reply
    }
}
