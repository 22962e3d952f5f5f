import Testing
@testable import JCFedCore

/// routing.groups: names with spaces are quoted; the module and the tool read the same syntax.
@Suite struct GroupListTests {
    @Test func plainNamesSplitOnSpacesTabsAndCommas() throws {
        #expect(try GroupList.parse("linux-admins, developers\tops").get() == ["linux-admins", "developers", "ops"])
        #expect(try GroupList.parse("").get() == [])
    }

    @Test func quotedNamesKeepTheirSpaces() throws {
        #expect(try GroupList.parse("\"Linux Admins\" ops").get() == ["Linux Admins", "ops"])
        #expect(try GroupList.parse("ops,\"Linux  Admins\",dev").get() == ["ops", "Linux  Admins", "dev"])
    }

    @Test(arguments: ["\"Linux Admins", "Linux\"Admins\"", "\"a\"b", "\"\"", "\" padded\""])
    func malformedValuesAreRefused(_ value: String) {
        #expect(throws: GroupList.Problem.self) { try GroupList.parse(value).get() }
    }

    @Test func formatRoundTrips() throws {
        let groups = ["Linux Admins", "ops", "dev team"]
        #expect(GroupList.format(groups) == "\"Linux Admins\" ops \"dev team\"")
        #expect(try GroupList.parse(GroupList.format(groups)).get() == groups)
    }

    @Test func theModuleReadsQuotedGroups() throws {
        let text = ConfigSample.text([("routing.groups", "\"Linux Admins\" ops")])
        let c = try ConfigParser.parse(text, path: ConfigSample.path).get().config
        #expect(c.routing.groups == ["Linux Admins", "ops"])
    }
}
