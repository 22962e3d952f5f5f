import Testing
@testable import JCFedCore
@testable import JCFedSystem
#if canImport(Glibc)
import Glibc
#endif

/// ConfigLoader: the file rules, the parser and the client secret together, as the module and
/// `jcfed check-config` use them.
@Suite final class ConfigLoaderTests {
    typealias S = ConfigSample
    let dir: TemporaryDirectory
    let me = TemporaryDirectory.currentUID

    init() throws {
        dir = try TemporaryDirectory()
    }

    func load(_ path: String) -> Result<LoadedConfig, ConfigError> {
        ConfigLoader.load(path: path, storage: SystemStorage(owner: me))
    }

    func error(_ path: String) -> ConfigError? {
        if case .failure(let e) = load(path) { return e }
        return nil
    }

    @Test func loadsAPublicClientConfig() throws {
        let p = try dir.file("jcfed.conf", S.text([("idp.qr", "off")]), mode: 0o644)
        let loaded = try load(p).get()
        #expect(loaded.config.idp.clientID == S.clientID)
        #expect(loaded.config.idp.qr == .off)
        #expect(loaded.clientSecret == nil)
        #expect(loaded.warnings.isEmpty)
    }

    @Test func warningsAreReturnedWithThePath() throws {
        let p = try dir.file("jcfed.conf", S.text([("idp.colour", "blue")]), mode: 0o644)
        let loaded = try load(p).get()
        #expect(loaded.warnings == [ConfigError(path: p, line: 4, key: "idp.colour", problem: "unknown key, ignored")])
    }

    @Test func missingConfigIsAnError() {
        let p = dir.path("jcfed.conf")
        #expect(error(p) == ConfigError(path: p, problem: "does not exist"))
    }

    @Test func unsafeConfigIsAnError() throws {
        let p = try dir.file("jcfed.conf", S.text([]), mode: 0o666)
        #expect(error(p)?.description == "\(p): has mode 0666, must not be writable by group or others")
    }

    @Test func configOwnedBySomeoneElseIsAnError() throws {
        let p = try dir.file("jcfed.conf", S.text([]), mode: 0o644)
        let other: UInt32 = me == 4242 ? 4243 : 4242
        guard case .failure(let e) = ConfigLoader.load(path: p, storage: SystemStorage(owner: other)) else { Issue.record("accepted"); return }
        #expect(e.problem.contains("is owned by uid \(me)"))
    }

    @Test func parseErrorsCarryThePath() throws {
        let p = try dir.file("jcfed.conf", S.text([("idp.http_timeout", "soon")]), mode: 0o644)
        let e = try #require(error(p))
        #expect(e.path == p)
        #expect(e.line == 4)
        #expect(e.key == "idp.http_timeout")
    }

    @Test(arguments: ["jcfed.conf", "./jcfed.conf", "etc/jcfed/jcfed.conf"])
    func relativeConfigPathIsRefused(_ relative: String) {
        // A relative config= would be read from the PAM host's working directory (for su: the
        // invoking user's), so it is refused instead of resolved.
        let e = error(relative)
        #expect(e?.path == relative)
        #expect(e?.problem.contains("absolute path") == true)
    }

    // MARK: client secret file

    func configWithSecretFile(_ secretPath: String) throws -> String {
        try dir.file("jcfed.conf", S.text([("idp.client_secret_file", secretPath)]), mode: 0o644)
    }

    @Test func secretFileIsReadAndTrimmed() throws {
        let secret = try dir.file("client_secret", "  Abc8Q~x.y_z-0 \t\n", mode: 0o600)
        let loaded = try load(configWithSecretFile(secret)).get()
        #expect(loaded.clientSecret == "Abc8Q~x.y_z-0")
    }

    @Test func secretFileUsesTheFirstLineOnly() throws {
        let secret = try dir.file("client_secret", "first\nsecond\n", mode: 0o600)
        #expect(try load(configWithSecretFile(secret)).get().clientSecret == "first")
    }

    @Test func secretFileWithCRLF() throws {
        // Written on Windows and copied over: the CR must not become part of the secret.
        let secret = try dir.file("client_secret", "Abc8Q~x\r\nsecond\r\n", mode: 0o600)
        #expect(try load(configWithSecretFile(secret)).get().clientSecret == "Abc8Q~x")
        let single = try dir.file("client_secret2", "Abc8Q~x\r\n", mode: 0o600)
        #expect(try load(configWithSecretFile(single)).get().clientSecret == "Abc8Q~x")
    }

    @Test func emptySecretFileIsAnError() throws {
        let secret = try dir.file("client_secret", " \n", mode: 0o600)
        let e = try #require(error(try configWithSecretFile(secret)))
        #expect(e.key == "idp.client_secret_file")
        #expect(e.problem == "\(secret) is empty")
    }

    @Test func secretFileReadableByOthersIsRefused() throws {
        let secret = try dir.file("client_secret", "s3cret\n", mode: 0o644)
        let e = try #require(error(try configWithSecretFile(secret)))
        #expect(e.key == "idp.client_secret_file")
        #expect(e.problem.hasPrefix(secret + " holds a secret and has mode 0644"))
        // The secret itself never appears in the error.
        #expect(!e.description.contains("s3cret"))
    }

    @Test func secretFileSymlinkIsRefused() throws {
        let real = try dir.file("real_secret", "s3cret\n", mode: 0o600)
        let link = try dir.symlink("client_secret", to: real)
        let e = try #require(error(try configWithSecretFile(link)))
        #expect(e.problem.contains("symbolic link"))
    }

    @Test func missingSecretFileIsAnError() throws {
        let e = try #require(error(try configWithSecretFile(dir.path("client_secret"))))
        #expect(e.key == "idp.client_secret_file")
        #expect(e.problem.hasSuffix("does not exist"))
    }

    @Test func secretFileHasItsOwnSizeCap() throws {
        let secret = try dir.file("client_secret", String(repeating: "a", count: 4097), mode: 0o600)
        let e = try #require(error(try configWithSecretFile(secret)))
        #expect(e.problem.contains("larger than 4096 bytes"))
    }

    // MARK: inline client_secret

    @Test func inlineSecretNeedsAFileNotReadableByOthers() throws {
        let p = try dir.file("jcfed.conf", S.text([("idp.client_secret", "inline-s3cret")]), mode: 0o644)
        let e = try #require(error(p))
        #expect(e.key == "idp.client_secret")
        #expect(e.problem.contains("must not be readable by others"))
        #expect(!e.description.contains("inline-s3cret"))
    }

    @Test(arguments: [0o600, 0o640] as [mode_t])
    func inlineSecretInAPrivateFileIsLoaded(_ mode: mode_t) throws {
        let p = try dir.file("jcfed.conf", S.text([("idp.client_secret", "inline-s3cret")]), mode: mode)
        #expect(try load(p).get().clientSecret == "inline-s3cret")
    }
}
