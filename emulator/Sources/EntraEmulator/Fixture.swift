// The fixture file: tenants with their app registrations and users (emulator/README.md, "Fixture").
import Foundation

struct Fixture: Decodable {
    var tenants: [Tenant]
    /// Polling interval the devicecode endpoint announces (Entra: 5).
    var interval: Int?
    /// Device code lifetime in seconds (Entra: 900).
    var expires_in: Int?

    struct Tenant: Decodable {
        var id: String
        /// Optional verified domains: `/contoso.com/v2.0/...` resolves to this tenant, like Entra.
        var domains: [String]?
        var apps: [App]
        var users: [User]
    }

    struct App: Decodable {
        var client_id: String
        /// A public client ("Allow public client flows"); false = confidential, a secret is required.
        var `public`: Bool?
        var secret: String?
        var name: String?

        var isPublic: Bool { self.public ?? (secret == nil) }
        var displayName: String { name ?? "jcfed test app" }
    }

    struct User: Decodable {
        var upn: String
        var oid: String
        var email: String?
        var xms_edov: Bool?
        var preferred_username: String?
        var name: String?
        var groups: [String]?
    }

    static func load(path: String) throws -> Fixture {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        guard !fixture.tenants.isEmpty else { throw EmulatorError("fixture has no tenants") }
        for tenant in fixture.tenants where !Encoding.isGUID(tenant.id) {
            throw EmulatorError("fixture tenant id is not a GUID: \(tenant.id)")
        }
        return fixture
    }

    /// A tenant by GUID (any case) or by one of its domains.
    func tenant(named name: String) -> Tenant? {
        let lower = name.lowercased()
        return tenants.first { tenant in
            tenant.id.lowercased() == lower || (tenant.domains ?? []).contains { $0.lowercased() == lower }
        }
    }
}

extension Fixture.Tenant {
    func app(_ clientID: String) -> Fixture.App? {
        apps.first { $0.client_id.lowercased() == clientID.lowercased() }
    }

    func user(upn: String) -> Fixture.User? {
        users.first { $0.upn.lowercased() == upn.lowercased() }
    }
}

struct EmulatorError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
