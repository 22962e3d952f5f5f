#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import JCFedCore

// Fakes and builders shared by the identity suites (Directory, Mapping, ClaimTrust, Pin,
// Routing, AccountCheck, JumpCloud). Names are prefixed so other suites' fakes never collide.

final class IdentityFakeUsers: UserDatabase {
    var accounts: [String: LocalAccount] = [:]
    var groups: [String: [String]] = [:]

    init(_ users: [(String, UInt32)] = [("alice", 1001), ("bob", 1002), ("carol", 1003), ("dave", 1004),
                                         ("root", 0), ("daemon", 1), ("sysuser", 999)],
         groups: [String: [String]] = [:]) {
        for (n, uid) in users { accounts[n] = LocalAccount(name: n, uid: uid, gid: uid) }
        self.groups = groups
    }

    func account(named name: String) -> LocalAccount? {
        // NSS compares bytes, not canonical equivalence.
        accounts.first { Array($0.key.utf8) == Array(name.utf8) }?.value
    }

    func groupNames(of account: LocalAccount) -> [String] { groups[account.name] ?? [] }
}

enum IdentityFixtures {
    static let tenant = "11111111-2222-3333-4444-555555555555"
    static let otherTenant = "99999999-8888-7777-6666-555555555555"
    static let issuer = "https://login.microsoftonline.com/\(tenant)/v2.0"
    static let aliceOID = "aaaaaaaa-0000-0000-0000-000000000001"

    static func config(_ edit: (inout JCFedConfig) -> Void = { _ in }) -> JCFedConfig {
        var c = JCFedConfig()
        c.idp.url = "https://login.microsoftonline.com/\(tenant)"
        c.idp.clientID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
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

/// A temporary directory removed at the end of the test.
final class IdentityTempDir {
    let path: String

    init() {
        var template = Array("/tmp/jcfed-identity-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf -> Bool in
            guard let base = buf.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        path = made ? String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "/tmp/jcfed-identity-fallback"
        chmod(path, 0o755)
    }

    deinit {
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/rm"), strdup("-rf"), strdup(path), nil]
        var pid: pid_t = 0
        if posix_spawn(&pid, "/bin/rm", nil, nil, &argv, environ) == 0 {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        for p in argv { free(p) }
    }

    func write(_ name: String, _ text: String, mode: mode_t = 0o600) -> String {
        let p = path + "/" + name
        let fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode)
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        fchmod(fd, mode)
        close(fd)
        return p
    }
}

@Suite struct DirectoryFixturesTests {
    @Test func fixturesAreConsistent() {
        let d = IdentityFixtures.directory
        #expect(Set(d.users.map { $0.id }).count == d.users.count)
        #expect(d.users.allSatisfy { DirectoryFile.isObjectID($0.id) && $0.id.utf8.count == 24 })
    }
}
