import Testing
@testable import JCFedCore

/// The arguments of a pam.d line: `config=PATH` and `debug`; anything else is collected for one
/// LOG_ERR line each ("unrecognized option [x]") and otherwise ignored.
@Suite struct ModuleArgumentsTests {
    @Test func defaults() {
        let a = ModuleArguments([])
        #expect(a.configPath == "/etc/jcfed/jcfed.conf")
        #expect(a.configPath == ConfigLoader.defaultPath)
        #expect(!a.debug)
        #expect(a.unknown.isEmpty)
        #expect(ModuleArguments() == a)
    }

    @Test func configPath() {
        #expect(ModuleArguments(["config=/etc/jcfed/test.conf"]).configPath == "/etc/jcfed/test.conf")
    }

    @Test func debug() {
        let a = ModuleArguments(["debug"])
        #expect(a.debug)
        #expect(a.unknown.isEmpty)
    }

    @Test func bothInAnyOrder() {
        let a = ModuleArguments(["debug", "config=/tmp/x.conf"])
        let b = ModuleArguments(["config=/tmp/x.conf", "debug"])
        #expect(a == b)
        #expect(a.debug && a.configPath == "/tmp/x.conf")
    }

    @Test func unknownArgumentsAreCollectedInOrder() {
        let a = ModuleArguments(["nullok", "debug", "conf=/x", "DEBUG", "config", "config=", "try_first_pass"])
        #expect(a.unknown == ["nullok", "conf=/x", "DEBUG", "config", "config=", "try_first_pass"])
        #expect(a.debug)
        // None of them changed the config path.
        #expect(a.configPath == ConfigLoader.defaultPath)
    }

    @Test func aRelativeConfigPathIsKeptSoTheLoaderRefusesIt() {
        // Not silently replaced by the default: the loader fails closed on it (ConfigLoaderTests).
        #expect(ModuleArguments(["config=jcfed.conf"]).configPath == "jcfed.conf")
    }
}
