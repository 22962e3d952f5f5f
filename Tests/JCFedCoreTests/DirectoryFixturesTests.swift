#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import JCFedCore

// Builders shared by the identity suites (Directory, Mapping, ClaimTrust, Pin, Routing,
// AccountCheck, JumpCloud); the fakes are the test kit's (Tests/JCFedTestKit).

enum IdentityFixtures {
    static let tenant = TestIdP.tenant
    static let otherTenant = TestIdP.otherTenant
    static let issuer = "https://login.microsoftonline.com/\(tenant)/v2.0"
    static let aliceOID = "aaaaaaaa-0000-0000-0000-000000000001"

    static func config(_ edit: (inout JCFedConfig) -> Void = { _ in }) -> JCFedConfig {
        var c = JCFedConfig()
        c.idp.url = "https://login.microsoftonline.com/\(tenant)"
        c.idp.clientID = TestIdP.client
        edit(&c)
        return c
    }

    static func identity(upn: String? = "alice@contoso.com", preferred: String? = nil, email: String? = nil,
                         edov: Bool = false, tid: String? = tenant, oid: String = aliceOID,
                         idp: String? = nil) -> VerifiedIdentity {
        VerifiedIdentity(issuer: issuer, tid: tid, oid: oid, sub: "sub-" + oid, upn: upn,
                         preferredUsername: preferred, email: email, emailDomainVerified: edov, idp: idp)
    }

    static func user(_ name: String, _ email: String, id: String? = nil, groups: [String] = [],
                     activated: Bool = true, suspended: Bool = false, locked: Bool = false,
                     state: String? = "ACTIVATED") -> DirectoryUser {
        let hexID = id ?? String(repeating: "0", count: 24 - min(24, name.utf8.count * 2))
            + name.utf8.prefix(12).map { String($0, radix: 16) }.joined()
        return DirectoryUser(id: hexID, username: name, email: email, activated: activated, suspended: suspended,
                             accountLocked: locked, state: state, groups: groups)
    }

    static var directory: Directory {
        Directory(users: [user("alice", "alice@contoso.com", groups: ["Engineering"]),
                          user("bob", "bob@contoso.com"),
                          user("carol", "Carol.Smith@Contoso.com", groups: ["Sales"])])
    }
}
