import JCFedAdmin
import JCFedCore
import JCFedSystem

/// The facts `jcfed status` shows, gathered from files only.
struct StatusReport {
    let context: ToolContext
    let clock: Clock
    private(set) var configValid = true

    init(context: ToolContext, clock: Clock) {
        self.context = context
        self.clock = clock
        configValid = StatusReport.readConfig(context).valid
    }

    /// The configuration as the module reads it. A file left without an IdP (after `idp delete`,
    /// or routing set up before `idp add`) is valid for what it holds: its routing, mapping and
    /// policy are read with the module's parser, so status never shows defaults instead.
    static func readConfig(_ context: ToolContext) -> (config: JCFedConfig, line: String, valid: Bool, hasIdP: Bool) {
        let store = ConfigStore(context: context)
        switch store.load() {
        case .success(let l):
            let unknown = UnknownKeys.errors(l.warnings)
            if let first = unknown.first {
                return (l.config, "INVALID for jcfed (the module ignores it): \(first)", false, true)
            }
            return (l.config, "\(store.hostPath) (valid)", true, true)
        case .failure(let e):
            guard FileSystem.exists(store.hostPath) else {
                return (JCFedConfig(), "\(store.hostPath) absent: no identity provider (jcfed idp add)", true, false)
            }
            guard let doc = try? store.loadDocument() else { return (JCFedConfig(), "INVALID: \(e.description)", false, false) }
            if !ConfigStore.hasIdP(doc) {
                var probe = doc
                probe.set("idp", "type", "oidc")
                probe.set("idp", "url", "https://idp.invalid/")
                probe.set("idp", "client_id", "none")
                if case .success(let r) = store.parse(probe) {
                    var config = r.config
                    let cacheDir = config.idp.cacheDir
                    config.idp = IdPSettings()
                    config.idp.cacheDir = cacheDir
                    return (config, "\(store.hostPath) (no identity provider: jcfed idp add)", true, false)
                }
            }
            // Show what can be read, with the defaults elsewhere.
            var config = JCFedConfig()
            config.idp.url = doc.value("idp", "url") ?? ""
            config.idp.name = doc.value("idp", "name") ?? config.idp.name
            if case .success(let g) = GroupList.parse(doc.value("routing", "groups") ?? "") { config.routing.groups = g }
            return (config, "INVALID: \(e.description)", false, ConfigStore.hasIdP(doc))
        }
    }

    /// The routing row: who is federated, and whether that is in effect.
    static func routingText(_ config: JCFedConfig, hasIdP: Bool, enabled: Bool) -> String {
        let who = config.routing.groups.isEmpty ? "all mapped users with uid >= \(config.mapping.minUID)"
                                                : "groups " + config.routing.groups.joined(separator: ", ")
        if !hasIdP { return who + " (inactive: no identity provider)" }
        if !enabled { return who + " (inactive: not enabled in PAM)" }
        return who
    }

    func lines() -> [String] {
        var out = ["jcfed \(JCFedVersion.string)" + (context.isSystemRoot ? "" : " (root \(context.root))")]
        func row(_ label: String, _ value: String) { out.append(label.padding(16) + value) }

        let read = StatusReport.readConfig(context)
        let config = read.config
        row("config:", read.line)
        if !config.idp.url.isEmpty {
            let summary = IdPSummary(config.idp, context: context)
            row("IdP:", "\(config.idp.name), \(config.idp.type.rawValue), \(config.idp.url)")
            row("", "client \(config.idp.clientID.isEmpty ? "-" : config.idp.clientID), secret \(summary.secret.text)")
        } else {
            row("IdP:", "none")
        }

        let pam = PAMIntegration(context: context)
        let state = pam.state()
        row("PAM:", state.description)
        if configValid, !state.systemWide, config.pam.services.sorted() != state.services.sorted() {
            row("", "OUT OF STEP: jcfed.conf [pam] services says \(config.pam.services.isEmpty ? "none" : config.pam.services.joined(separator: " ")); run 'jcfed enable' or 'jcfed disable' to settle it")
        }
        if let sshd = SSHDPreflight(context: context).statusText(loginTimeout: config.idp.loginTimeout) { row("sshd:", sshd) }
        row("offline:", state.isEnabled
            ? config.pam.offline.rawValue + (config.pam.offline == .localPassword ? " (IdP unreachable: local password)" : " (IdP unreachable: routed users denied)")
            : "\(config.pam.offline.rawValue) (applies once enabled)")
        row("routing:", StatusReport.routingText(config, hasIdP: read.hasIdP, enabled: state.isEnabled))
        row("directory:", directoryLine(config.mapping))
        row("binding check:", bindingLine(config))
        row("cache:", cacheLine(context.hostDirectory(config.idp.cacheDir)))
        row("libraries:", LibraryProbe.run().map(\.summary).joined(separator: ", "))
        row("pins:", pinsLine(stateDir: config.mapping.stateDir))
        switch recentLogins() {
        case .failure(let f): row("last logins:", "(\(f.message))")
        case .success(let (logins, from)):
            if logins.isEmpty {
                row("last logins:", "none in \(from)")
            } else {
                row("last logins:", "(\(from); jcfed logins shows more)")
                out += LoginsCommand.table(logins).map { "  " + $0 }
            }
        }
        return out
    }

    /// The same facts for scripts (`status --json`).
    func json() -> JSONOutput {
        let read = StatusReport.readConfig(context)
        let config = read.config
        let state = PAMIntegration(context: context).state()
        let idp: JSONOutput = config.idp.url.isEmpty ? .null : .object([
            ("name", .string(config.idp.name)), ("type", .string(config.idp.type.rawValue)), ("url", .string(config.idp.url)),
            ("client_id", .string(config.idp.clientID)), ("secret", .string(IdPSummary(config.idp, context: context).secret.text)),
        ])
        var logins: JSONOutput = .null
        if case .success(let (records, _)) = recentLogins() { logins = .array(records.map(LoginsCommand.json)) }
        return .object([
            ("version", .string(JCFedVersion.string)),
            ("root", .string(context.root)),
            ("config", .object([("path", .string(context.configHostPath)), ("valid", .bool(read.valid)), ("status", .string(read.line))])),
            ("idp", idp),
            ("pam", .object([("enabled", .bool(state.isEnabled)), ("system_wide", .bool(state.systemWide)),
                             ("services", .array(state.services.map { .string($0) })), ("description", .string(state.description))])),
            ("offline", .string(config.pam.offline.rawValue)),
            ("routing", .object([("groups", .array(config.routing.groups.map { .string($0) })),
                                 ("min_uid", .int(Int64(config.mapping.minUID))),
                                 ("active", .bool(read.hasIdP && state.isEnabled)),
                                 ("description", .string(StatusReport.routingText(config, hasIdP: read.hasIdP, enabled: state.isEnabled)))])),
            ("directory", .string(directoryLine(config.mapping))),
            ("binding_check", .string(bindingLine(config))),
            ("cache", .string(cacheLine(context.hostDirectory(config.idp.cacheDir)))),
            ("pins", .string(pinsLine(stateDir: config.mapping.stateDir))),
            ("libraries", .array(LibraryProbe.run().map { lib in
                .object([("soname", .string(lib.soname)), ("required", .bool(lib.required)), ("usable", .bool(lib.usable)),
                         ("version", .optional(lib.version)), ("problem", .optional(lib.problem)), ("note", .optional(lib.note))])
            })),
            ("last_logins", logins),
        ])
    }

    func age(_ mtime: Int64) -> String { ageText(max(0, clock.wallSeconds() - mtime)) + " ago" }

    func ageText(_ s: Int64) -> String {
        if s < 120 { return "\(s) s" }
        if s < 7200 { return "\(s / 60) min" }
        if s < 172800 { return "\(s / 3600) h" }
        return "\(s / 86400) days"
    }

    /// The directory as the module loads it (rules, parse, staleness), its path under the root.
    func loadDirectory(_ mapping: MappingSettings) -> Result<Directory?, ConfigError> {
        var m = mapping
        m.directory = context.host(mapping.directory)
        return DirectoryLoader.load(settings: m, now: clock.wallSeconds(), storage: SystemStorage(owner: context.configOwner))
    }

    func directoryLine(_ mapping: MappingSettings) -> String {
        switch loadDirectory(mapping) {
        case .failure(let e): return "UNUSABLE: \(e.problem) (federated logins fail until it is fixed)"
        case .success(nil): return "absent (mapping fallback: \(mapping.fallback.rawValue))"
        case .success(let d?):
            return "\(mapping.directory): \(d.users.count) users, data \(ageText(d.ageSeconds)) old"
                + (d.isStale ? " (STALE: older than directory_max_age, stale_directory = \(mapping.staleDirectory.rawValue))" : "")
        }
    }

    /// Device binding: on when the directory lists the users bound to this device.
    func bindingLine(_ config: JCFedConfig) -> String {
        guard case .success(let d?) = loadDirectory(config.mapping) else { return "off (no directory)" }
        guard let bound = d.boundUserIDs else { return "off (the directory lists no device bindings)" }
        return "on (\(bound.count) users bound to this device)"
    }

    func cacheLine(_ dir: String) -> String {
        guard let info = FileSystem.info(dir), info.isDirectory else { return "\(dir) absent" }
        let files = FileSystem.list(dir).compactMap { FileSystem.info(dir + "/" + $0) }.filter { $0.isRegular }
        guard let newest = files.map({ $0.mtime }).max() else { return "\(dir) empty" }
        return "\(dir): \(files.count) files, \(files.reduce(0) { $0 + $1.size }) bytes, newest \(age(newest))"
    }

    /// The identity pins, read by the module's own pin store.
    func pinsLine(stateDir: String) -> String {
        let store = PinStore(stateDir: context.hostDirectory(stateDir), storage: SystemStorage(owner: context.configOwner))
        guard FileSystem.exists(store.directory) else { return "none" }
        switch store.list() {
        case .failure(let f): return "UNREADABLE: \(f.problem)"
        case .success(let (pins, problems)):
            return "\(pins.count) accounts pinned (\(store.directory))" + (problems.isEmpty ? "" : ", \(problems.count) unreadable")
        }
    }

    /// The last logins (as `jcfed logins` reads them: auth.log or the journal), newest last.
    func recentLogins(limit: Int = 5) -> Result<([LoginRecord], String), ToolFailure> {
        do {
            // The journal is read for the last 30 days only: status stays quick on a busy host.
            let source = try LoginSources(context: context).read(file: nil, since: clock.wallSeconds() - 30 * 86400)
            return .success((Array(LoginLog.parse(source.lines, now: clock.wallSeconds()).suffix(limit)), source.from))
        } catch let f as ToolFailure {
            return .failure(f)
        } catch {
            return .failure(ToolFailure("\(error)"))
        }
    }
}
