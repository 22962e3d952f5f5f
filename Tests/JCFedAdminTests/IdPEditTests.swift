import Testing
import JCFedAdmin
import JCFedCore

@Suite struct IdPEditTests {
    static let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    static let client = "11111111-2222-3333-4444-555555555555"
    static func host(_ p: String) -> String { "/root-tree" + p }

    static func apply(_ edit: IdPEdit, to text: String = "[idp]\n", caCheck: (String) throws -> Void = { _ in }) throws -> IdPEdit.Applied {
        try edit.apply(to: INIDocument(text: text), host: host, checkCAFile: caCheck)
    }

    @Test func addWritesEveryKeyAndNormalisesTheIds() throws {
        var edit = IdPEdit()
        edit.type = "AZURE"
        edit.name = "  Contoso  "
        edit.url = "https://login.microsoftonline.com/\(Self.tenant)/"
        edit.clientID = Self.client.uppercased()
        let applied = try Self.apply(edit)
        #expect(applied.document.value("idp", "type") == "azure")
        #expect(applied.document.value("idp", "name") == "Contoso")
        #expect(applied.document.value("idp", "url") == "https://login.microsoftonline.com/\(Self.tenant)")
        #expect(applied.document.value("idp", "client_id") == Self.client)
        #expect(applied.changedKeys == ["idp.type", "idp.name", "idp.url", "idp.client_id"])
        #expect(applied.secretToWrite == nil && applied.secretToRemove == nil)
    }

    @Test func anEntraEndpointIsRefusedWithTheAuthority() {
        var edit = IdPEdit()
        edit.url = "https://login.microsoftonline.com/\(Self.tenant)/v2.0"
        #expect(throws: ToolFailure.self) { try Self.apply(edit) }
        #expect(IdPEdit.entraAuthority(fromEndpoint: "https://login.microsoftonline.com/\(Self.tenant)/oauth2/v2.0/authorize")
                == "https://login.microsoftonline.com/\(Self.tenant)")
        #expect(IdPEdit.entraAuthority(fromEndpoint: "https://login.microsoftonline.com/\(Self.tenant)") == nil)
    }

    @Test func anOIDCIssuerKeepsItsSlash() throws {
        var edit = IdPEdit()
        edit.type = "oidc"
        edit.url = "https://idp.example.com/realm/"
        #expect(try Self.apply(edit).document.value("idp", "url") == "https://idp.example.com/realm/")
    }

    @Test func anUnknownTypeIsAUsageError() {
        var edit = IdPEdit()
        edit.type = "entra"
        do {
            _ = try Self.apply(edit)
            Issue.record("accepted --type entra")
        } catch let f as ToolFailure {
            #expect(f.status == ExitStatus.usage)
            #expect(f.message.contains("--type azure"))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func aValueThatWouldStartACommentIsRefused() {
        var edit = IdPEdit()
        edit.name = "Contoso # Entra"
        #expect(throws: ToolFailure.self) { try Self.apply(edit) }
    }

    @Test func setASecretReplacesAnInlineOne() throws {
        var edit = IdPEdit()
        edit.secret = .set("s3cret")
        let applied = try Self.apply(edit, to: "[idp]\nclient_secret = inline\n")
        #expect(applied.document.value("idp", "client_secret") == nil)
        #expect(applied.document.value("idp", "client_secret_file") == IdPEdit.defaultSecretFile)
        #expect(applied.secretToWrite?.hostPath == Self.host(IdPEdit.defaultSecretFile))
        #expect(applied.secretToWrite?.secret == "s3cret")
        #expect(applied.changedKeys == ["idp.client_secret_file", "idp.client_secret"])
    }

    @Test func removeASecretNamesTheFileToDelete() throws {
        var edit = IdPEdit()
        edit.secret = .remove
        let applied = try Self.apply(edit, to: "[idp]\nclient_secret_file = /etc/jcfed/other\n")
        #expect(applied.document.value("idp", "client_secret_file") == nil)
        #expect(applied.secretToRemove == Self.host("/etc/jcfed/other"))
    }

    @Test func caFileIsCheckedThenSetOrRemoved() throws {
        var edit = IdPEdit()
        edit.caFile = .set("/etc/ssl/ca.pem")
        var checked: [String] = []
        let applied = try Self.apply(edit, caCheck: { checked.append($0) })
        #expect(checked == ["/etc/ssl/ca.pem"])
        #expect(applied.document.value("idp", "ca_file") == "/etc/ssl/ca.pem")

        edit.caFile = .remove
        #expect(try Self.apply(edit, to: applied.document.text).document.value("idp", "ca_file") == nil)

        edit.caFile = .set("/bad")
        #expect(throws: ToolFailure.self) {
            try Self.apply(edit, caCheck: { _ in throw ToolFailure("--ca-file: holds no PEM certificate") })
        }
    }

    @Test func optionNames() {
        #expect(IdPEdit.option("client_id") == "--client-id")
        #expect(IdPEdit.option("name") == "--name")
    }
}

/// One rule for PAM service names (ConfigKeys.isServiceName), used by jcfed.conf's pam.services
/// and by `jcfed enable --services`.
@Suite struct ServiceNameTests {
    @Test("Names Linux-PAM reads from /etc/pam.d", arguments: ["sshd", "login", "su", "sudo", "systemd-user", "polkit-1", "gdm-password", "cups", "vsftpd.custom", "my_svc", "openvpn+ldap", String(repeating: "a", count: 64)])
    func accepted(_ name: String) {
        #expect(ConfigKeys.isServiceName(name))
    }

    @Test("Paths, hidden files, options and other characters are refused",
          arguments: ["", ".", "..", ".hidden", "-sshd", "../shadow", "/etc/passwd", "a/b", "ss hd", "sshd;id", "sshd\n", "ssh\u{0}d", "sshd*", "ßshd", String(repeating: "a", count: 65)])
    func refused(_ name: String) {
        #expect(!ConfigKeys.isServiceName(name))
    }

    @Test func theListSyntaxIsTheConfigFiles() {
        #expect(ConfigKeys.list("sshd,login  su\tsudo,,") == ["sshd", "login", "su", "sudo"])
    }

    @Test func configAndToolAgreeOnPlus() {
        let text = "[idp]\nurl = https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47\nclient_id = 11111111-2222-3333-4444-555555555555\n[pam]\nservices = sshd openvpn+ldap\n"
        guard case .success(let r) = ConfigParser.parse(text, path: "/etc/jcfed/jcfed.conf") else { Issue.record("refused"); return }
        #expect(r.config.pam.services == ["sshd", "openvpn+ldap"])
        let bad = text.replacingOccurrences(of: "openvpn+ldap", with: "-x")
        guard case .failure(let e) = ConfigParser.parse(bad, path: "/etc/jcfed/jcfed.conf") else { Issue.record("accepted -x"); return }
        #expect(e.key == "pam.services")
    }

    @Test("Group names the tool writes", arguments: [("Linux Admins", true), ("ops", true), ("-x", false), ("a,b", false), ("a#b", false), ("\"q\"", false), (" lead", false), ("", false)])
    func groupNames(name: String, ok: Bool) {
        #expect(GroupList.isWritableName(name) == ok)
    }
}
