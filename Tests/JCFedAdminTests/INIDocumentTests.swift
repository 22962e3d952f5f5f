import Testing
import JCFedAdmin
import JCFedCore

/// The lossless jcfed.conf document: what is read back equals what was written, byte for byte,
/// and an edit touches one line.
@Suite struct INIDocumentTests {
    static let sample = """
        # jcfed.conf, edited by hand
        ; a semicolon comment

        [idp]
        type   = azure          # aligned comment
        url=https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47
          client_id = 11111111-2222-3333-4444-555555555555
        #ca_file = /etc/ssl/extra.pem
        name = Contoso#1

        [Routing]
        groups = "Linux Admins" ops;x	# a tab starts a comment too
        [custom]
        unknown_key = kept
        """

    @Test("A document reads back exactly as written: comments, order, spacing, unknown keys",
          arguments: [sample, sample + "\n", sample.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n", "", "\n\n# only a comment\n"])
    func roundTrip(text: String) {
        let doc = INIDocument(text: text)
        let expected = text.isEmpty ? "" : (text.hasSuffix("\n") || text.hasSuffix("\r\n") ? text : text + (text.contains("\r\n") ? "\r\n" : "\n"))
        #expect(doc.text == expected)
        #expect(INIDocument(text: doc.text) == doc)
    }

    @Test func valuesAreReadLikeTheModule() {
        let doc = INIDocument(text: Self.sample)
        #expect(doc.value("idp", "type") == "azure")
        #expect(doc.value("idp", "client_id") == "11111111-2222-3333-4444-555555555555")
        #expect(doc.value("idp", "name") == "Contoso#1")
        #expect(doc.value("idp", "ca_file") == nil)
        #expect(doc.value("routing", "groups") == "\"Linux Admins\" ops;x")
        #expect(doc.hasSection("custom"))
        #expect(doc.hasEntries)
    }

    @Test func setInPlaceKeepsIndentationSpellingAndComment() {
        var doc = INIDocument(text: Self.sample)
        doc.set("idp", "type", "oidc")
        doc.set("idp", "client_id", "abc")
        let lines = doc.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains("type   = oidc          # aligned comment"))
        #expect(lines.contains("  client_id = abc"))
        // Every other line is untouched.
        let before = Self.sample.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let changed = zip(before, lines).filter { $0 != $1 }
        #expect(changed.count == 2)
    }

    @Test func setBelowACommentedTemplateOrAtTheEndOfTheSection() {
        var doc = INIDocument(text: Self.sample)
        doc.set("idp", "ca_file", "/etc/jcfed/ca.pem")
        let lines = doc.text.split(separator: "\n").map(String.init)
        let template = lines.firstIndex(of: "#ca_file = /etc/ssl/extra.pem")
        #expect(template.map { lines[$0 + 1] } == "ca_file = /etc/jcfed/ca.pem")

        doc.set("idp", "qr", "off")
        let qr = doc.text.split(separator: "\n").map(String.init)
        let nameAt = qr.firstIndex(of: "name = Contoso#1")
        #expect(nameAt.map { qr[$0 + 1] } == "qr = off")
    }

    @Test func setInANewSectionAtTheEnd() {
        var doc = INIDocument(text: "[idp]\nurl = x\n")
        doc.set("pam", "services", "sshd login")
        #expect(doc.text == "[idp]\nurl = x\n\n[pam]\nservices = sshd login\n")
    }

    @Test func emptyValueDropsTheTrailingComment() {
        var doc = INIDocument(text: "[idp]\nca_file = /x # note\n")
        doc.set("idp", "ca_file", "")
        #expect(doc.text == "[idp]\nca_file =\n")
        #expect(doc.value("idp", "ca_file") == "")
    }

    @Test func removeKeyAndSection() {
        var doc = INIDocument(text: Self.sample)
        let first = doc.remove("idp", "url"), second = doc.remove("idp", "url")
        #expect(first)
        #expect(!second)
        #expect(doc.value("idp", "url") == nil)
        doc.removeSection("routing")
        #expect(!doc.hasSection("routing"))
        #expect(doc.value("custom", "unknown_key") == "kept")
        #expect(doc.text.contains("; a semicolon comment"))
    }

    @Test("Values that would not read back the same are refused",
          arguments: [("a\nb", true), ("x # y", true), (" lead", true), ("tail ", true), ("bell\u{07}", true),
                      ("plain", false), ("a#b", false), ("tab\tinside", false)])
    func unwritableValues(value: String, refused: Bool) {
        #expect((INIDocument.problem(writing: value) != nil) == refused)
    }

    @Test func commentedTemplates() {
        #expect(INIDocument.isCommentedTemplate("#ca_file = /x", key: "ca_file"))
        #expect(INIDocument.isCommentedTemplate(";  ca_file=/x", key: "ca_file"))
        #expect(!INIDocument.isCommentedTemplate("# ca_file is a path", key: "ca_file"))
        #expect(!INIDocument.isCommentedTemplate("ca_file = /x", key: "ca_file"))
    }
}
