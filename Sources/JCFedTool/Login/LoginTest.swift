import JCFedAdmin
import JCFedCore
import JCFedSystem
import JCFedCrypto
import JCFedCurl
import JCFedQR

/// `jcfed idp test --user UPN`: one full device-code login in the terminal through the core
/// the module runs, then the verified claims and the local account they map to.
struct LoginTest {
    let context: ToolContext
    let loaded: LoadedConfig
    let expectedUPN: String

    /// The environment the module builds in PAM, with the terminal in place of the conversation.
    func environment(prompter: Prompter) -> LoginEnvironment {
        let context = self.context
        return LoginEnvironment(
            log: StderrLogSink(),
            clock: SystemClock(),
            users: SystemUserDatabase(),
            prompter: prompter,
            makeTransport: { idp in CurlTransport(caFile: idp.caFile.map { context.host($0) }, proxy: idp.proxy) },
            makeVerifier: { OpenSSLVerifier() },
            base64URLBlocks: SIMDBase64URLBlocks(),
            makeQR: { LibQREncode.render($0) },
            storage: SystemStorage(owner: context.configOwner),
            random: SystemRandom.seed)
    }

    /// Runs the login; returns true when the identity verified, matched --user and mapped.
    func run() throws -> Bool {
        let prompter = TerminalPrompter()
        let env = environment(prompter: prompter)
        Terminal.out("Signing in \(expectedUPN) with \(loaded.config.idp.name) (\(loaded.config.idp.url)).")

        // The module's own sign-in (InteractiveSignIn = DeviceLogin without the PAM-user check).
        // Its metadata cache is the root's (under --root, not this host's /var/cache/jcfed).
        var staged = loaded
        staged.config.idp.cacheDir = context.hostDirectory(loaded.config.idp.cacheDir)
        // The module creates the cache directory itself, not its parents (a fresh --root tree).
        try? FileSystem.makeDirectories(FileSystem.directoryName(staged.config.idp.cacheDir))
        let result = InteractiveSignIn.run(loaded: staged, environment: env, prompter: prompter)

        let identity: VerifiedIdentity
        switch result {
        case .failure(let outcome):
            if let message = outcome.userMessage { Terminal.out(message) }
            throw ToolFailure("sign-in failed: \(outcome.reason): \(outcome.adminDetail)")
        case .success(let i): identity = i
        }
        for line in LoginTest.describe(identity) { Terminal.out(line) }

        var ok = true
        let names = [identity.upn, identity.preferredUsername, identity.email].compactMap { $0?.lowercased() }
        if names.contains(expectedUPN.lowercased()) {
            Terminal.out("[ OK ] signed in as \(expectedUPN)")
        } else {
            Terminal.out("[FAIL] signed in as \(identity.upn ?? identity.preferredUsername ?? identity.oid), not \(expectedUPN) -> sign in with the account given to --user")
            ok = false
        }
        // The directory as the module loads it (its path under --root).
        var mapping = loaded.config.mapping
        mapping.directory = context.host(mapping.directory)
        let directory: Directory?
        switch DirectoryLoader.load(settings: mapping, now: env.clock.wallSeconds(), storage: env.storage) {
        case .success(let d): directory = d
        case .failure(let e):
            Terminal.out("[FAIL] directory: \(e.description) -> jcfed directory sync, or fix mapping.directory")
            return false
        }
        switch IdentityMapper.map(identity, config: loaded.config, directory: directory) {
        case .failure(let r):
            Terminal.out("[FAIL] no local account: \(r.reason): \(r.detail) -> check [mapping] in jcfed.conf and the directory")
            ok = false
        case .success(let name):
            if let account = env.users.account(named: name) {
                Terminal.out("[ OK ] maps to local account \(name) (uid \(account.uid))")
            } else {
                Terminal.out("[FAIL] maps to \(name), which has no local account on this machine -> bind the user to this device in JumpCloud")
                ok = false
            }
        }
        return ok
    }

    /// The verified claims worth showing; never a token. Values are cleaned (SafeText).
    static func describe(_ i: VerifiedIdentity) -> [String] {
        func s(_ v: String) -> String { SafeText.value(v) }
        var out = ["Verified ID token claims:", "  iss: \(s(i.issuer))"]
        if let tid = i.tid { out.append("  tid: \(s(tid))") }
        out.append("  oid: \(s(i.oid))")
        out.append("  sub: \(s(i.sub))")
        if let v = i.upn { out.append("  upn: \(s(v))") }
        if let v = i.preferredUsername { out.append("  preferred_username: \(s(v))") }
        if let v = i.email {
            out.append("  email: \(s(v)) (domain verified (xms_edov): \(i.emailDomainVerified ? "yes" : "no"), "
                       + "email_verified: \(i.emailVerified ? "yes" : "no"))")
        }
        if let v = i.name { out.append("  name: \(s(v))") }
        if let v = i.idp { out.append("  idp: \(s(v)) (guest)") }
        if !i.groups.isEmpty { out.append("  groups: \(i.groups.count)") }
        return out
    }
}
