// Device authorization records: one per `devicecode` request, approved or declined by a person on
// /devicelogin or by the control API, redeemed once by a token poll.
import Foundation

struct DeviceCodeRecord {
    enum Status: Equatable {
        case pending
        case approved(upn: String)
        case declined
        case redeemed(upn: String)

        var name: String {
            switch self {
            case .pending: return "pending"
            case .approved: return "approved"
            case .declined: return "declined"
            case .redeemed: return "redeemed"
            }
        }
    }

    let deviceCode: String
    let userCode: String
    let tenantID: String
    let clientID: String
    let scopes: [String]
    let createdMs: Int
    let expiresAtMs: Int
    var status: Status = .pending

    func isExpired(nowMs: Int) -> Bool { nowMs >= expiresAtMs }

    /// For GET /_control/codes: never the device code itself.
    var json: JSON {
        var pairs: [(String, JSON)] = [
            ("user_code", .string(userCode)),
            ("tenant", .string(tenantID)),
            ("client_id", .string(clientID)),
            ("scope", .string(scopes.joined(separator: " "))),
            ("status", .string(status.name)),
            ("created_ms", .int(createdMs)),
            ("expires_ms", .int(expiresAtMs)),
            ("expired", .bool(isExpired(nowMs: Encoding.nowMillis()))),
        ]
        switch status {
        case .approved(let upn), .redeemed(let upn): pairs.append(("upn", .string(upn)))
        default: break
        }
        return .object(pairs)
    }

    /// Entra-style user code: 9 characters from A-Z and 2-9 (no 0/1/I/O to keep it readable).
    static func newUserCode() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<9).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
    }

    /// Long and opaque like Entra's ("DAQABIQEAAAD..."), url-safe.
    static func newDeviceCode() -> String {
        "DAQABIQEAAAD" + Encoding.base64url(Encoding.randomBytes(150))
    }
}
