import ArgumentParser
import JCFedCore
import JCFedSystem
import JCFedCurl
#if canImport(Glibc)
import Glibc
#endif

/// `jcfed directory sync|import|show`: the local cache of JumpCloud users the module reads
/// (mapping.directory). The module never calls JumpCloud at login; this command does, when an
/// admin or a timer runs it.
///
/// Files are checked with the module's rules (see IdentityToolOptions for --root and owners).
struct DirectoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory",
        abstract: "Sync, import or show the JumpCloud user directory the module reads.",
        discussion: """
        The directory file (mapping.directory) holds JumpCloud user records (username, email, \
        state, group names) and, on a device with the JumpCloud agent, the list of users bound \
        to this device. Org-wide records need an administrator's API key: run the sync on an \
        admin host with a read-only administrator's key and distribute the file; install it on \
        a device with `jcfed directory import FILE`. On a device, `jcfed directory sync` with no \
        API key fetches only this device's bindings through the System Context API, signed with \
        the agent's own key. Any failure keeps the installed file.
        """,
        subcommands: [Sync.self, Import.self, Show.self, DirectoryFleet.Schedule.self])

    enum Source: String, CaseIterable, ExpressibleByArgument {
        /// Whatever is available: the API key file for users, the agent for bindings.
        case auto
        /// Users and groups with the API key only.
        case api
        /// This device's bindings through the System Context API only.
        case system
    }

    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch users and groups (API key) and/or this device's bindings (System Context API).")

        @OptionGroup var options: IdentityToolOptions

        @Flag(name: .customLong("allow-empty"), help: "Install a directory with no users even though the installed one has some.")
        var allowEmpty = false

        @Flag(name: .customLong("allow-shrink"), help: "Install a directory that drops more than \(DirectorySync.shrinkFreeUsers) users and more than \(DirectorySync.shrinkFreePercent) % of the installed ones, or every user bound to this device.")
        var allowShrink = false

        @Option(help: "What to fetch: auto (whatever is available), api (users and groups with jumpcloud.api_key_file), system (this device's bindings with the agent key).")
        var source: Source = .auto

        @Option(name: .customLong("ca-file"), help: "Extra CA certificates (PEM) to trust for the JumpCloud API (a TLS-inspecting proxy, a test server).")
        var caFile: String?

        @Option(help: "Seconds each request may take.")
        var timeout: Int = 30

        @Option(name: .customLong("max-attempts"), help: .hidden)
        var maxAttempts: Int = RetryPolicy().maxAttempts

        @Flag(help: "A scheduled run (the systemd timer passes it): give up after \(RetryPolicy.scheduledRateLimitedAttempts) answers of HTTP 429 and keep the installed directory; the next run retries.")
        var scheduled = false

        @Option(help: ArgumentHelp("Before syncing, wait this device's fixed delay between 0 and SECONDS (from /etc/machine-id), so a cron or MDM job run everywhere at once is spread.", valueName: "SECONDS"))
        var splay: Int?

        @Option(name: .customLong("machine-id-file"), help: .hidden)
        var machineIDFile: String?

        @Flag(name: .customLong("admin-host"), help: "This host holds the org admin API key on purpose, although the JumpCloud agent runs here.")
        var adminHost = false

        func validate() throws {
            if let s = splay, !(1...604_800).contains(s) {
                throw ValidationError("--splay must be between 1 and 604800 seconds")
            }
        }

        func run() throws {
            let (c, owner) = try options.load()
            let log = DirectoryToolSupport.StderrLog()

            // An org admin API key on a device is a copy on every device of the fleet (and ~1,100
            // requests per device per run): refused where the JumpCloud agent runs.
            if source != .system, !adminHost, DirectoryFleet.agentInstalled(agentDir: c.jumpcloud.agentDir),
               case .success(_?) = DirectoryToolSupport.readAPIKey(c.jumpcloud.apiKeyFile, owner: owner) {
                throw DirectoryToolSupport.fail("this host runs the JumpCloud agent (\(c.jumpcloud.agentDir)/jcagent.conf) and holds an org admin API key (\(c.jumpcloud.apiKeyFile)): devices sync only their bindings (--source system) and get the users with `jcfed directory import`; remove the key from devices, or pass --admin-host if this is the admin host; nothing was written")
            }
            if let seconds = splay {
                let root = try options.resolvedRoot()
                let path = machineIDFile ?? (root == "/" ? "" : root) + "/etc/machine-id"
                let delay: Int
                if let id = DirectoryFleet.machineID(path: path, owner: owner) {
                    delay = DirectoryFleet.splayDelay(machineID: id, seconds: seconds)
                } else {
                    delay = Int.random(in: 0..<seconds)
                    log.log(.warning, "\(path) is unreadable: --splay waits a random delay instead of this device's fixed one")
                }
                fputs("jcfed: --splay: waiting \(delay) s before syncing (this device's delay within 0-\(seconds - 1) s)\n", stderr)
                SystemClock().sleep(millis: Int64(delay) * 1000)
            }
            let lockFD = try DirectoryFleet.lock(stateDir: c.mapping.stateDir, owner: owner)
            defer { close(lockFD) }
            let now = SystemClock().wallSeconds()

            var existing: Directory?
            switch DirectoryLoader.load(settings: c.mapping, now: now, storage: SystemStorage(owner: owner)) {
            case .success(let d): existing = d
            case .failure(let e):
                if source == .system { throw DirectoryToolSupport.fail("the installed directory is unusable: \(e.problem)") }
                log.log(.warning, "the installed directory is unusable and will be replaced: \(e.problem)")
            }

            let transport = CurlTransport(caFile: caFile, proxy: nil, maxResponseBytes: JumpCloudHTTP.maxBodyBytes)
            var policy = RetryPolicy()
            policy.maxAttempts = max(1, min(maxAttempts, 20))
            policy.maxRateLimitedAttempts = scheduled ? RetryPolicy.scheduledRateLimitedAttempts : policy.maxAttempts
            let http = JumpCloudHTTP(transport: transport, clock: SystemClock(), log: log, policy: policy,
                                     timeoutSeconds: max(1, min(timeout, 600)))

            var api: JumpCloudAPI?
            if source != .system {
                switch DirectoryToolSupport.readAPIKey(c.jumpcloud.apiKeyFile, owner: owner) {
                case .failure(let e): throw DirectoryToolSupport.fail(e.message)
                case .success(nil):
                    if source == .api {
                        throw DirectoryToolSupport.fail("no API key: \(c.jumpcloud.apiKeyFile) does not exist")
                    }
                case .success(let key?):
                    api = JumpCloudAPI(http: http, baseURL: c.jumpcloud.apiURL, apiKey: key, orgID: c.jumpcloud.orgID)
                }
            }
            var systemContext: SystemContextClient?
            if source != .api {
                switch SystemContextClient.readSystemKey(agentDir: c.jumpcloud.agentDir, storage: SystemStorage(owner: owner)) {
                case .failure(let e): throw DirectoryToolSupport.fail(e.message)
                case .success(nil):
                    if source == .system {
                        throw DirectoryToolSupport.fail("no JumpCloud agent: \(c.jumpcloud.agentDir)/jcagent.conf does not exist")
                    }
                case .success(let systemKey?):
                    let keyPath = SystemContextClient.clientKeyPath(agentDir: c.jumpcloud.agentDir)
                    switch AgentKeySigner.load(path: keyPath, owner: owner) {
                    case .failure(let e): throw DirectoryToolSupport.fail(e.message)
                    case .success(let signer):
                        systemContext = SystemContextClient(http: http, baseURL: c.jumpcloud.apiURL,
                                                            systemKey: systemKey, signer: signer)
                    }
                }
            }
            guard api != nil || systemContext != nil else {
                throw DirectoryToolSupport.fail("nothing to sync: no API key at \(c.jumpcloud.apiKeyFile) and no JumpCloud agent at \(c.jumpcloud.agentDir)")
            }

            let result = DirectorySync.run(api: api, systemContext: systemContext, existing: existing, now: now)
            switch result {
            case .failure(let e):
                var message = e.message
                if e.code == .unauthorized && !message.contains("/api/v2/systems/") {
                    message += " (check jumpcloud.api_key_file and jumpcloud.org_id)"
                }
                throw DirectoryToolSupport.fail(message + (existing != nil ? "; the installed directory was kept" : "; nothing was written"))
            case .success(let (directory, report)):
                try DirectoryToolSupport.install(directory, report: report, path: c.mapping.directory,
                                                 replacing: existing, allowEmpty: allowEmpty, allowShrink: allowShrink)
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a directory file (e.g. made by a sync on an admin host) and install it.")

        @OptionGroup var options: IdentityToolOptions

        @Flag(name: .customLong("allow-empty"), help: "Install a directory with no users even though the installed one has some.")
        var allowEmpty = false

        @Flag(name: .customLong("allow-shrink"), help: "Install a directory that drops more than \(DirectorySync.shrinkFreeUsers) users and more than \(DirectorySync.shrinkFreePercent) % of the installed ones, or every user bound to this device.")
        var allowShrink = false

        @Option(name: .customLong("synced-at"), help: ArgumentHelp("When the file's user records were exported from JumpCloud: seconds since the epoch or RFC 3339 UTC (2026-01-31T12:00:00Z). Required when the file has no jcfed.synced_at (a raw API export).", valueName: "TIME"))
        var syncedAt: String?

        @Argument(help: "The file: the JumpCloud GET /api/systemusers shape, as `jcfed directory sync` writes it.")
        var file: String

        func run() throws {
            let (c, owner) = try options.load()
            let lockFD = try DirectoryFleet.lock(stateDir: c.mapping.stateDir, owner: owner)
            defer { close(lockFD) }
            let now = SystemClock().wallSeconds()
            var given: Int64?
            if let text = syncedAt {
                guard let t = DirectorySync.parseTime(text) else {
                    throw DirectoryToolSupport.fail("--synced-at \(text) is neither seconds since the epoch nor an RFC 3339 UTC time (2026-01-31T12:00:00Z); nothing was installed")
                }
                given = t
            }
            let bytes: [UInt8]
            switch SecureFolder.read(file, owner: owner, maxBytes: DirectoryFile.maxBytes) {
            case .failure(let f): throw DirectoryToolSupport.fail("\(file) \(f.description); nothing was installed")
            case .success(let f): bytes = f.bytes
            }
            let imported: Directory
            switch DirectoryFile.parse(bytes) {
            case .failure(let e): throw DirectoryToolSupport.fail("\(file) \(e.problem); nothing was installed")
            case .success(let d): imported = d
            }
            var existing: Directory?
            if case .success(let d) = DirectoryLoader.load(settings: c.mapping, now: now, storage: SystemStorage(owner: owner)) { existing = d }
            let directory: Directory, report: DirectorySync.Report
            switch DirectorySync.importing(imported, existing: existing, now: now, syncedAt: given) {
            case .failure(let e): throw DirectoryToolSupport.fail("\(file) \(e.problem); nothing was installed")
            case .success(let r): (directory, report) = r
            }
            try DirectoryToolSupport.install(directory, report: report, path: c.mapping.directory,
                                             replacing: existing, allowEmpty: allowEmpty, allowShrink: allowShrink)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print what the installed directory holds and how old it is.")

        @OptionGroup var options: IdentityToolOptions

        func run() throws {
            let (c, owner) = try options.load()
            let now = SystemClock().wallSeconds()
            let d: Directory
            switch DirectoryLoader.load(settings: c.mapping, now: now, storage: SystemStorage(owner: owner)) {
            case .failure(let e): throw DirectoryToolSupport.fail(e.problem)
            case .success(nil):
                print("directory: \(c.mapping.directory): none (mapping uses fallback = \(c.mapping.fallback.rawValue); account state is not checked; binding check off)")
                return
            case .success(let dir?): d = dir
            }
            let suspended = d.users.filter { $0.isSuspended }.count
            let notActive = d.users.filter { !$0.isSuspended && !$0.isActivated }.count
            let locked = d.users.filter { $0.accountLocked }.count
            print("directory: \(c.mapping.directory)")
            print("source: \(d.metadata.source)")
            print("users: \(d.users.count) (suspended \(suspended), not activated \(notActive), locked \(locked))")
            print("groups: \(d.groupNames.count)")
            if let bound = d.boundUserIDs {
                let known = Set(d.users.map { $0.id })
                let names = d.users.filter { bound.contains($0.id) }.map { $0.username }.sorted()
                print("bound to this device: \(bound.count) (\(names.joined(separator: " ")))"
                      + (bound.subtracting(known).isEmpty ? "" : "; \(bound.subtracting(known).count) unknown ids"))
            } else {
                print("bound to this device: unknown (binding check off)")
            }
            print("users synced: \(DirectoryToolSupport.when(d.metadata.syncedAt, now: now))")
            if d.boundUserIDs != nil {
                print("bindings synced: \(DirectoryToolSupport.when(d.metadata.bindingsSyncedAt, now: now))")
            }
            let maxAge = c.mapping.directoryMaxAge
            if maxAge == 0 {
                print("stale: never (directory_max_age = 0)")
            } else if d.isStale {
                print("stale: yes, older than \(maxAge) s (stale_directory = \(c.mapping.staleDirectory.rawValue))")
            } else {
                print("stale: no (directory_max_age = \(maxAge) s)")
            }
            if let missing = c.routing.groups.first(where: { g in !d.users.contains { $0.groups.contains(g) } }), !c.routing.groups.isEmpty {
                print("note: routed group \(missing) has no JumpCloud members in the directory (a local group of that name still routes)")
            }
        }
    }
}

/// `--root DIR` (or $JCFED_ROOT) and `--config PATH`, with the same meaning as the admin tool's
/// global options, so these commands fit under its root command unchanged (or can switch to its
/// GlobalOptions): every system path from jcfed.conf is looked up under the root; --config is
/// taken as given; files must be owned by root on the real system, and by the invoking user
/// under another root (tests, image builds).
struct IdentityToolOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Operate on the system under DIR instead of / (default: $JCFED_ROOT, ignored when run as root; else /). As root, DIR must be a tree only root can change.", valueName: "DIR"))
    var root: String?

    @Option(name: .long, help: ArgumentHelp("Use this jcfed.conf (taken as given, not under --root). Default: /etc/jcfed/jcfed.conf under the root.", valueName: "PATH"))
    var config: String?

    /// "/" or an absolute directory without a trailing slash.
    /// $JCFED_ROOT counts only when not root; as root, a tree only root can change (RootTree).
    func resolvedRoot() throws -> String {
        do {
            return try RootTree.resolve(option: root)
        } catch let f as ToolFailure {
            fputs("jcfed: error: \(f.message)\n", stderr)
            throw ExitCode(f.status)
        }
    }

    /// The configuration with its paths (directory, state, API key, agent) as this process
    /// finds them, and the owner files must have.
    func load() throws -> (JCFedConfig, UInt32) {
        let dir = try resolvedRoot()
        let tree = ToolContext(root: dir, configOverride: nil)
        let host: (String) -> String = { tree.host($0) }
        let owner: UInt32 = dir == "/" ? 0 : UInt32(geteuid())
        let path = config ?? host(ConfigLoader.defaultPath)
        var c: JCFedConfig
        switch ConfigLoader.load(path: path, storage: SystemStorage(owner: owner)) {
        case .failure(let e): throw DirectoryToolSupport.fail(e.description)
        case .success(let l):
            for w in l.warnings { fputs("jcfed: warning: \(w)\n", stderr) }
            c = l.config
        }
        c.mapping.directory = host(c.mapping.directory)
        c.mapping.stateDir = tree.hostDirectory(c.mapping.stateDir)
        c.jumpcloud.apiKeyFile = host(c.jumpcloud.apiKeyFile)
        c.jumpcloud.agentDir = tree.hostDirectory(c.jumpcloud.agentDir)
        return (c, owner)
    }
}

/// What the directory and pins commands share. Named so it cannot collide with the root
/// command's helpers.
enum DirectoryToolSupport {
    static func fail(_ message: String) -> ExitCode {
        fputs("jcfed: error: \(message)\n", stderr)
        return ExitCode(1)
    }


    /// The API key from its file (first line, trimmed); nil when the file does not exist.
    static func readAPIKey(_ path: String, owner: UInt32) -> Result<String?, JumpCloudError> {
        switch SecureFolder.readText(path, owner: owner, maxBytes: 4096, holdsSecret: true) {
        case .failure(.missing): return .success(nil)
        case .failure(let f): return .failure(JumpCloudError(.configuration, "\(path) \(f.description)"))
        case .success(let text):
            var line = Substring(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            while let c = line.last, c == "\r" || c == " " || c == "\t" { line = line.dropLast() }
            while let c = line.first, c == " " || c == "\t" { line = line.dropFirst() }
            guard !line.isEmpty, line.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else {
                return .failure(JumpCloudError(.configuration, "\(path) does not hold an API key on its first line"))
            }
            return .success(String(line))
        }
    }

    /// Writes the directory atomically (0600: it holds names and emails) and prints the report.
    /// An empty result replacing a populated directory is refused unless asked for: a wrong
    /// org id or a key of another organisation must not quietly un-federate everyone. So is one
    /// that shrinks (DirectorySync.shrinkage) without --allow-shrink; an empty one allowed with
    /// --allow-empty needs no --allow-shrink for its users.
    static func install(_ directory: Directory, report: DirectorySync.Report, path: String,
                        replacing existing: Directory?, allowEmpty: Bool, allowShrink: Bool = false) throws {
        if directory.users.isEmpty, let old = existing, !old.users.isEmpty, !allowEmpty {
            throw fail("the new directory has no users but the installed one has \(old.users.count); not replacing it (--allow-empty if that is right)")
        }
        if !allowShrink, let old = existing {
            let compared = directory.users.isEmpty && allowEmpty
                ? Directory(users: old.users, boundUserIDs: directory.boundUserIDs) : directory
            if let what = DirectorySync.shrinkage(from: old, to: compared) {
                throw fail("\(what); the installed directory was kept (--allow-shrink if that is right)")
            }
        }
        switch SecureFolder.replace(atPath: path, DirectoryFile.serialize(directory), mode: 0o600) {
        case .failure(let f): throw fail("\(path) \(f.description); the installed directory was kept")
        case .success: break
        }
        for line in report.lines { print(line) }
        print("wrote \(path)")
    }

    static func when(_ t: Int64?, now: Int64) -> String {
        guard let t = t else { return "unknown" }
        let age = max(0, now - t)
        let ago: String
        if age < 120 { ago = "\(age) seconds ago" } else if age < 7200 { ago = "\(age / 60) minutes ago" }
        else if age < 172_800 { ago = "\(age / 3600) hours ago" } else { ago = "\(age / 86400) days ago" }
        return "\(HTTPDate.format(t)) (\(ago))"
    }

    /// Admin log lines of the sync (retries) on stderr.
    final class StderrLog: LogSink {
        func log(_ level: LogLevel, _ message: String) {
            guard level <= .info else { return }
            fputs("jcfed: \(message)\n", stderr)
        }
    }
}
