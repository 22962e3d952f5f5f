import ArgumentParser
import JCFedAdmin
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
/// Files are checked with the module's rules.
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

    /// What `sync` and `import` may replace the installed directory with (see DirectoryToolSupport.install).
    struct InstallGuards: ParsableArguments {
        @Flag(name: .customLong("allow-empty"), help: "Install a directory with no users even though the installed one has some.")
        var allowEmpty = false

        @Flag(name: .customLong("allow-shrink"), help: "Install a directory that drops more than \(DirectorySync.shrinkFreeUsers) users and more than \(DirectorySync.shrinkFreePercent) % of the installed ones, or every user bound to this device.")
        var allowShrink = false
    }

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

        @OptionGroup var options: GlobalOptions

        @OptionGroup var guards: InstallGuards

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
            try changing(options) { context, _ in
                let c = try context.loadedConfig()
                let owner = context.configOwner
                let log = StderrLogSink(threshold: .info)

                // An org admin API key on a device is a copy on every device of the fleet (and ~1,100
                // requests per device per run): refused where the JumpCloud agent runs.
                if source != .system, !adminHost, DirectoryFleet.agentInstalled(agentDir: c.jumpcloud.agentDir),
                   case .success(_?) = DirectoryToolSupport.readAPIKey(c.jumpcloud.apiKeyFile, owner: owner) {
                    throw ToolFailure("this host runs the JumpCloud agent (\(c.jumpcloud.agentDir)/jcagent.conf) and holds an org admin API key (\(c.jumpcloud.apiKeyFile)): devices sync only their bindings (--source system) and get the users with `jcfed directory import`; remove the key from devices, or pass --admin-host if this is the admin host; nothing was written")
                }
                if let seconds = splay {
                    let path = machineIDFile ?? (context.isSystemRoot ? "" : context.root) + "/etc/machine-id"
                    let delay: Int
                    if let id = MachineIdentity.read(path: path, owner: owner) {
                        delay = DirectoryFleet.splayDelay(machineID: id, seconds: seconds)
                    } else {
                        delay = Int.random(in: 0..<seconds)
                        log.log(.warning, "\(path) is unreadable: --splay waits a random delay instead of this device's fixed one")
                    }
                    Terminal.err("jcfed: --splay: waiting \(delay) s before syncing (this device's delay within 0-\(seconds - 1) s)")
                    SystemClock().sleep(millis: Int64(delay) * 1000)
                }
                let lockFD = try DirectoryFleet.lock(stateDir: c.mapping.stateDir, owner: owner)
                defer { close(lockFD) }
                let now = SystemClock().wallSeconds()

                var existing: Directory?
                switch DirectoryLoader.load(settings: c.mapping, now: now, storage: SystemStorage(owner: owner)) {
                case .success(let d): existing = d
                case .failure(let e):
                    if source == .system { throw ToolFailure("the installed directory is unusable: \(e.problem)") }
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
                    case .failure(let e): throw ToolFailure(e.message)
                    case .success(nil):
                        if source == .api {
                            throw ToolFailure("no API key: \(c.jumpcloud.apiKeyFile) does not exist")
                        }
                    case .success(let key?):
                        api = JumpCloudAPI(http: http, baseURL: c.jumpcloud.apiURL, apiKey: key, orgID: c.jumpcloud.orgID)
                    }
                }
                var systemContext: SystemContextClient?
                if source != .api {
                    switch SystemContextClient.readSystemKey(agentDir: c.jumpcloud.agentDir, storage: SystemStorage(owner: owner)) {
                    case .failure(let e): throw ToolFailure(e.message)
                    case .success(nil):
                        if source == .system {
                            throw ToolFailure("no JumpCloud agent: \(c.jumpcloud.agentDir)/jcagent.conf does not exist")
                        }
                    case .success(let systemKey?):
                        let keyPath = SystemContextClient.clientKeyPath(agentDir: c.jumpcloud.agentDir)
                        switch AgentKeySigner.load(path: keyPath, owner: owner) {
                        case .failure(let e): throw ToolFailure(e.message)
                        case .success(let signer):
                            systemContext = SystemContextClient(http: http, baseURL: c.jumpcloud.apiURL,
                                                                systemKey: systemKey, signer: signer)
                        }
                    }
                }
                guard api != nil || systemContext != nil else {
                    throw ToolFailure("nothing to sync: no API key at \(c.jumpcloud.apiKeyFile) and no JumpCloud agent at \(c.jumpcloud.agentDir)")
                }

                let result = DirectorySync.run(api: api, systemContext: systemContext, existing: existing, now: now)
                switch result {
                case .failure(let e):
                    var message = e.message
                    if e.code == .unauthorized && !message.contains("/api/v2/systems/") {
                        message += " (check jumpcloud.api_key_file and jumpcloud.org_id)"
                    }
                    throw ToolFailure(message + (existing != nil ? "; the installed directory was kept" : "; nothing was written"))
                case .success(let (directory, report)):
                    try DirectoryToolSupport.install(directory, report: report, path: c.mapping.directory,
                                                     replacing: existing, guards: guards)
                }
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a directory file (e.g. made by a sync on an admin host) and install it.")

        @OptionGroup var options: GlobalOptions

        @OptionGroup var guards: InstallGuards

        @Option(name: .customLong("synced-at"), help: ArgumentHelp("When the file's user records were exported from JumpCloud: seconds since the epoch or RFC 3339 UTC (2026-01-31T12:00:00Z). Required when the file has no jcfed.synced_at (a raw API export).", valueName: "TIME"))
        var syncedAt: String?

        @Argument(help: "The file: the JumpCloud GET /api/systemusers shape, as `jcfed directory sync` writes it.")
        var file: String

        func run() throws {
            try changing(options) { context, _ in
                let c = try context.loadedConfig()
                let owner = context.configOwner
                let lockFD = try DirectoryFleet.lock(stateDir: c.mapping.stateDir, owner: owner)
                defer { close(lockFD) }
                let now = SystemClock().wallSeconds()
                var given: Int64?
                if let text = syncedAt {
                    guard let t = DirectorySync.parseTime(text) else {
                        throw ToolFailure("--synced-at \(text) is neither seconds since the epoch nor an RFC 3339 UTC time (2026-01-31T12:00:00Z); nothing was installed")
                    }
                    given = t
                }
                let bytes: [UInt8]
                switch SecureFolder.read(file, owner: owner, maxBytes: DirectoryFile.maxBytes) {
                case .failure(let f): throw ToolFailure("\(file) \(f.description); nothing was installed")
                case .success(let f): bytes = f.bytes
                }
                let imported: Directory
                switch DirectoryFile.parse(bytes) {
                case .failure(let e): throw ToolFailure("\(file) \(e.problem); nothing was installed")
                case .success(let d): imported = d
                }
                var existing: Directory?
                if case .success(let d) = DirectoryLoader.load(settings: c.mapping, now: now, storage: SystemStorage(owner: owner)) { existing = d }
                let directory: Directory, report: DirectorySync.Report
                switch DirectorySync.importing(imported, existing: existing, now: now, syncedAt: given) {
                case .failure(let e): throw ToolFailure("\(file) \(e.problem); nothing was installed")
                case .success(let r): (directory, report) = r
                }
                try DirectoryToolSupport.install(directory, report: report, path: c.mapping.directory,
                                                 replacing: existing, guards: guards)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print what the installed directory holds and how old it is.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            try reading(options) { context in
                let c = try context.loadedConfig()
                let owner = context.configOwner
                let now = SystemClock().wallSeconds()
                let d: Directory
                switch DirectoryLoader.load(settings: c.mapping, now: now, storage: SystemStorage(owner: owner)) {
                case .failure(let e): throw ToolFailure(e.problem)
                case .success(nil):
                    Terminal.out("directory: \(c.mapping.directory): none (mapping uses fallback = \(c.mapping.fallback.rawValue); account state is not checked; binding check off)")
                    return
                case .success(let dir?): d = dir
                }
                let suspended = d.users.filter { $0.isSuspended }.count
                let notActive = d.users.filter { !$0.isSuspended && !$0.isActivated }.count
                let locked = d.users.filter { $0.accountLocked }.count
                Terminal.out("directory: \(c.mapping.directory)")
                Terminal.out("source: \(d.metadata.source)")
                Terminal.out("users: \(d.users.count) (suspended \(suspended), not activated \(notActive), locked \(locked))")
                Terminal.out("groups: \(d.groupNames.count)")
                if let bound = d.boundUserIDs {
                    let known = Set(d.users.map { $0.id })
                    let names = d.users.filter { bound.contains($0.id) }.map { $0.username }.sorted()
                    Terminal.out("bound to this device: \(bound.count) (\(names.joined(separator: " ")))"
                          + (bound.subtracting(known).isEmpty ? "" : "; \(bound.subtracting(known).count) unknown ids"))
                } else {
                    Terminal.out("bound to this device: unknown (binding check off)")
                }
                Terminal.out("users synced: \(DirectoryToolSupport.when(d.metadata.syncedAt, now: now))")
                if d.boundUserIDs != nil {
                    Terminal.out("bindings synced: \(DirectoryToolSupport.when(d.metadata.bindingsSyncedAt, now: now))")
                }
                let maxAge = c.mapping.directoryMaxAge
                if maxAge == 0 {
                    Terminal.out("stale: never (directory_max_age = 0)")
                } else if d.isStale {
                    Terminal.out("stale: yes, older than \(maxAge) s (stale_directory = \(c.mapping.staleDirectory.rawValue))")
                } else {
                    Terminal.out("stale: no (directory_max_age = \(maxAge) s)")
                }
                if let missing = c.routing.groups.first(where: { g in !d.users.contains { $0.groups.contains(g) } }), !c.routing.groups.isEmpty {
                    Terminal.out("note: routed group \(missing) has no JumpCloud members in the directory (a local group of that name still routes)")
                }
            }
        }
    }
}

/// What the directory commands share.
enum DirectoryToolSupport {
    /// The API key from its file (first line, trimmed); nil when the file does not exist.
    static func readAPIKey(_ path: String, owner: UInt32) -> Result<String?, JumpCloudError> {
        switch SecureFolder.readText(path, owner: owner, maxBytes: 4096, holdsSecret: true) {
        case .failure(.missing): return .success(nil)
        case .failure(let f): return .failure(JumpCloudError(.configuration, "\(path) \(f.description)"))
        case .success(let text):
            let line = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "").trimmingSpaces()
            guard !line.isEmpty, line.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else {
                return .failure(JumpCloudError(.configuration, "\(path) does not hold an API key on its first line"))
            }
            return .success(line)
        }
    }

    /// Writes the directory atomically (0600: it holds names and emails) and prints the report.
    /// An empty result replacing a populated directory is refused unless asked for: a wrong
    /// org id or a key of another organisation must not quietly un-federate everyone. So is one
    /// that shrinks (DirectorySync.shrinkage) without --allow-shrink; an empty one allowed with
    /// --allow-empty needs no --allow-shrink for its users.
    static func install(_ directory: Directory, report: DirectorySync.Report, path: String,
                        replacing existing: Directory?, guards: DirectoryCommand.InstallGuards) throws {
        let allowEmpty = guards.allowEmpty, allowShrink = guards.allowShrink
        if directory.users.isEmpty, let old = existing, !old.users.isEmpty, !allowEmpty {
            throw ToolFailure("the new directory has no users but the installed one has \(old.users.count); not replacing it (--allow-empty if that is right)")
        }
        if !allowShrink, let old = existing {
            let compared = directory.users.isEmpty && allowEmpty
                ? Directory(users: old.users, boundUserIDs: directory.boundUserIDs) : directory
            if let what = DirectorySync.shrinkage(from: old, to: compared) {
                throw ToolFailure("\(what); the installed directory was kept (--allow-shrink if that is right)")
            }
        }
        switch SecureFolder.replace(atPath: path, DirectoryFile.serialize(directory), mode: 0o600) {
        case .failure(let f): throw ToolFailure("\(path) \(f.description); the installed directory was kept")
        case .success: break
        }
        for line in report.lines { Terminal.out(line) }
        Terminal.out("wrote \(path)")
    }

    static func when(_ t: Int64?, now: Int64) -> String {
        guard let t = t else { return "unknown" }
        let age = max(0, now - t)
        let ago: String
        if age < 120 { ago = "\(age) seconds ago" } else if age < 7200 { ago = "\(age / 60) minutes ago" }
        else if age < 172_800 { ago = "\(age / 3600) hours ago" } else { ago = "\(age / 86400) days ago" }
        return "\(HTTPDate.format(t)) (\(ago))"
    }
}
