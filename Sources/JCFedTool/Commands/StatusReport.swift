import JCFedCore

/// The facts `jcfed status` shows, gathered from files only.
struct StatusReport {
    let context: ToolContext
    let clock: Clock
    private(set) var configValid = true

    init(context: ToolContext, clock: Clock) {
        self.context = context
        self.clock = clock
        if case .failure = ConfigStore(context: context).load(), FileSystem.exists(context.configHostPath) {
            configValid = false
        }
    }

    func lines() -> [String] {
        let store = ConfigStore(context: context)
        var out = ["jcfed \(JCFedVersion.string)" + (context.isSystemRoot ? "" : " (root \(context.root))")]
        func row(_ label: String, _ value: String) { out.append(label.padding(16) + value) }

        var config = JCFedConfig()
        switch store.load() {
        case .success(let l):
            config = l.config
            row("config:", "\(store.hostPath) (valid)")
        case .failure(let e):
            if FileSystem.exists(store.hostPath) {
                row("config:", "INVALID: \(e.description)")
                // Show what can be read, with the defaults elsewhere.
                if let doc = try? store.loadDocument() {
                    config.idp.url = doc.value("idp", "url") ?? ""
                    config.idp.name = doc.value("idp", "name") ?? config.idp.name
                }
            } else {
                row("config:", "\(store.hostPath) absent: no identity provider (jcfed idp add)")
            }
        }
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
        row("routing:", config.routing.groups.isEmpty ? "all mapped users with uid >= \(config.mapping.minUID)"
                                                      : "groups " + config.routing.groups.joined(separator: ", "))
        row("directory:", directoryLine(config.mapping))
        row("binding check:", bindingLine(config))
        row("cache:", cacheLine(context.hostDirectory(config.idp.cacheDir)))
        row("pins:", pinsLine(stateDir: config.mapping.stateDir))
        let logins = recentLogins()
        if logins.isEmpty {
            row("last logins:", FileSystem.exists(context.host(ToolContext.authLog)) ? "none in \(context.host(ToolContext.authLog))" : "(no readable \(context.host(ToolContext.authLog)))")
        } else {
            row("last logins:", "")
            out += logins.map { "  " + $0 }
        }
        return out
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
        return DirectoryLoader.load(settings: m, now: clock.wallSeconds(), owner: context.configOwner)
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
        let store = PinStore(stateDir: context.hostDirectory(stateDir), owner: context.configOwner)
        guard FileSystem.exists(store.directory) else { return "none" }
        switch store.list() {
        case .failure(let f): return "UNREADABLE: \(f.problem)"
        case .success(let (pins, problems)):
            return "\(pins.count) accounts pinned (\(store.directory))" + (problems.isEmpty ? "" : ", \(problems.count) unreadable")
        }
    }

    /// The module's closing lines ("... done: ...") from the auth log, newest last.
    func recentLogins(limit: Int = 5) -> [String] {
        guard let text = FileSystem.readText(context.host(ToolContext.authLog), maxBytes: 64 << 20) else { return [] }
        let hits = text.splitLines().lines.filter { $0.contains("pam_jcfed") && $0.contains("done:") }
        return Array(hits.suffix(limit))
    }
}
