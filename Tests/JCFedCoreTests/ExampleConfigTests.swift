import Foundation
import Testing
@testable import JCFedCore

/// pam/jcfed.conf.example is what `make install` puts at /etc/jcfed/jcfed.conf. As installed it
/// must fail only for the missing url (the module then returns PAM_SERVICE_ERR until the admin
/// runs `jcfed idp add`); with every "#key = value" line uncommented it must name every key of
/// ConfigKeys with exactly the built-in default.
@Suite struct ExampleConfigTests {
    static let examplePath: String = {
        // Tests/JCFedCoreTests/ExampleConfigTests.swift -> repository root
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/pam/jcfed.conf.example"
    }()

    static func example() throws -> String {
        try String(contentsOfFile: examplePath, encoding: .utf8)
    }

    /// "#key = value" lines (a setting) become "key = value"; "# prose" stays a comment.
    static func uncommented(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("#"), let second = line.dropFirst().first, second.isLetter, line.contains(" =") else {
                return String(line)
            }
            return String(line.dropFirst())
        }.joined(separator: "\n")
    }

    @Test func asInstalledTheOnlyErrorIsTheMissingURL() throws {
        let r = ConfigParser.parse(try Self.example(), path: "/etc/jcfed/jcfed.conf")
        guard case .failure(let e) = r else { Issue.record("the installed example must not be a usable IdP"); return }
        #expect(e.key == "idp.url")
        #expect(e.problem == "is required")
    }

    @Test func asInstalledWithURLAndClientIDItIsTheDefaults() throws {
        let text = try Self.example() + "\n[idp]\nurl = \(ConfigSample.authority)\nclient_id = \(ConfigSample.clientID)\n"
        let parsed = try ConfigParser.parse(text, path: "/etc/jcfed/jcfed.conf").get()
        var expected = JCFedConfig()
        expected.idp.url = ConfigSample.authority
        expected.idp.clientID = ConfigSample.clientID
        #expect(parsed.config == expected)
        #expect(parsed.warnings.isEmpty)
    }

    @Test func everyKeyIsListedWithItsDefault() throws {
        let text = Self.uncommented(try Self.example())
            .replacingOccurrences(of: "<tenant id>", with: ConfigSample.tenant)
            .replacingOccurrences(of: "<application (client) id>", with: ConfigSample.clientID)
        let entries = try INIFile.parse(text, path: "example").get()
        let listed = entries.map { $0.section + "." + $0.key }
        #expect(Set(listed) == Set(ConfigKeys.names), "missing: \(Set(ConfigKeys.names).subtracting(listed))")
        #expect(listed.count == Set(listed).count, "a key is listed twice")

        let parsed = try ConfigParser.parse(text, path: "example").get()
        var expected = JCFedConfig()
        expected.idp.url = ConfigSample.authority
        expected.idp.clientID = ConfigSample.clientID
        #expect(parsed.config == expected, "a listed value differs from the built-in default")
        #expect(parsed.warnings.isEmpty)
    }

    @Test func everySettingHasACommentAbove() throws {
        let lines = try Self.example().split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() where line.hasPrefix("#") && (line.dropFirst().first?.isLetter ?? false) {
            let previous = i > 0 ? lines[i - 1] : ""
            #expect(previous.hasPrefix("# "), "no comment above: \(line)")
        }
    }
}
