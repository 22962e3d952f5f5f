import Testing
@testable import JCFedCore

/// containsBytes and splitBytes stand in for the standard library's String.contains(String) in the module
/// (which would link _StringProcessing): the same answers for the texts the module searches.
@Suite struct ByteTextTests {
    @Test func findsANeedleAnywhere() {
        #expect("ALICE_CONTOSO.COM#EXT#@FABRIKAM.ONMICROSOFT.COM".containsBytes("#EXT#"))
        #expect("#EXT#".containsBytes("#EXT#"))
        #expect("user@host".containsBytes("@"))
        #expect("abc".containsBytes("c"))
        #expect("aab".containsBytes("ab"), "a partial match does not hide the next start")
        #expect("To sign in, enter the code ABCD-EFGH".containsBytes("ABCD-EFGH"))
    }

    @Test func missesWhatIsNotThere() {
        #expect(!"alice@contoso.com".containsBytes("#EXT#"))
        #expect(!"#EXT".containsBytes("#EXT#"), "a needle longer than the text")
        #expect(!"".containsBytes("@"))
        #expect(!"login.microsoftonline.com".containsBytes("@"))
    }

    @Test func anEmptyNeedleIsAlwaysThere() {
        #expect("".containsBytes(""))
        #expect("abc".containsBytes(""))
    }

    @Test func substringsAndNonASCII() {
        let text = "héllo wörld"
        #expect(text.dropFirst(6).containsBytes("wö"))
        #expect(!text.dropFirst(7).containsBytes("wö"))
        #expect(text.containsBytes("é"))
    }

    @Test func matchesOnBytesWhereCharactersWouldNot() {
        // "@" followed by a combining acute accent is one Character that is not "@": compared by
        // Characters it is missed; on bytes it is found, so the host check rejects it.
        #expect("evil@\u{301}host".containsBytes("@"))
        #expect(!"evil@\u{301}host".contains("@"))
    }

    @Test func splitsOnSeparatorBytes() {
        #expect("/etc/jcfed/cache".splitBytes(UInt8(ascii: "/")) == ["etc", "jcfed", "cache"])
        #expect("https://login.example/tenant".splitBytes(UInt8(ascii: "/"), omittingEmpty: false)
                == ["https:", "", "login.example", "tenant"])
        #expect("a/".splitBytes(UInt8(ascii: "/"), omittingEmpty: false) == ["a", ""])
        #expect("".splitBytes(UInt8(ascii: "/")) == [])
        #expect(" openid\tprofile  email ".splitBytes(where: { $0 == 0x20 || $0 == 0x09 }) == ["openid", "profile", "email"])
        #expect("grüße/straße".splitBytes(UInt8(ascii: "/")) == ["grüße", "straße"])
    }

    @Test func aDotDotComponentIsFoundWhereCharactersWouldMissIt() {
        // "/" followed by a combining mark is one Character that is not "/": split by Characters,
        // ".." would hide in "../\u{301}b"; the kernel sees a ".." component.
        let path = "/var/../\u{301}etc"
        #expect(path.splitBytes(UInt8(ascii: "/")).contains(".."))
        var target = ""
        #expect(ConfigKeys.path(path, into: &target) == "must not contain '..'")
    }
}
