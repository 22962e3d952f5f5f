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
        row("offline:", state.isEnabled
            ? config.pam.offline.rawValue + (config.pam.offline == .localPassword ? " (IdP unreachable: local password)" : " (IdP unreachable: routed users denied)")
            : "\(config.pam.offline.rawValue) (applies once enabled)")
        row("routing:", config.routing.groups.isEmpty ? "all mapped users with uid >= \(config.mapping.minUID)"
                                                      : "groups " + config.routing.groups.joined(separator: ", "))
        row("directory:", directoryLine(config.mapping))
        row("binding check:", bindingLine(config))
        row("cache:", cacheLine(context.host(config.idp.cacheDir)))
        row("pins:", pinsLine(context.host(config.mapping.stateDir + "/pins")))
        let logins = recentLogins()
        if logins.isEmpty {
            row("last logins:", FileSystem.exists(context.host(ToolContext.authLog)) ? "none in \(context.host(ToolContext.authLog))" : "(no readable \(context.host(ToolContext.authLog)))")
        } else {
            row("last logins:", "")
            out += logins.map { "  " + $0 }
        }
        return out
    }

    func age(_ mtime: Int64) -> String {
        let s = max(0, clock.wallSeconds() - mtime)
        if s < 120 { return "\(s) s ago" }
        if s < 7200 { return "\(s / 60) min ago" }
        if s < 172800 { return "\(s / 3600) h ago" }
        return "\(s / 86400) days ago"
    }

    /// The directory file: its user count (JumpCloud's `results` or a `users` array) and age.
    /// AFTER MERGE (identity branch): use the core's DirectoryLoader to count and to say stale.
    func directoryLine(_ mapping: MappingSettings) -> String {
        let path = context.host(mapping.directory)
        guard let info = FileSystem.info(path), info.isRegular else { return "absent (mapping fallback: \(mapping.fallback.rawValue))" }
        var count = "?"
        if case .success(let v)? = FileSystem.readText(path, maxBytes: 64 << 20).map({ JSONParser.parse(Array($0.utf8), maxBytes: 64 << 20) }) {
            if let n = (v["users"] ?? v["results"])?.arrayValue?.count { count = String(n) } else if let n = v.arrayValue?.count { count = String(n) }
        }
        let stale = mapping.directoryMaxAge > 0 && clock.wallSeconds() - info.mtime > Int64(mapping.directoryMaxAge)
        return "\(mapping.directory): \(count) users, \(info.size) bytes, updated \(age(info.mtime))" + (stale ? " (STALE)" : "")
    }

    /// Device binding: on when the directory names the users bound to this device.
    /// AFTER MERGE (identity branch): read it from the core's Directory.boundUserIDs.
    func bindingLine(_ config: JCFedConfig) -> String {
        let path = context.host(config.mapping.directory)
        guard let text = FileSystem.readText(path, maxBytes: 64 << 20),
              case .success(let v) = JSONParser.parse(Array(text.utf8), maxBytes: 64 << 20) else { return "off (no directory)" }
        if let bound = (v["bound_user_ids"] ?? v["bound"])?.arrayValue { return "on (\(bound.count) users bound to this device)" }
        return "off (the directory lists no device bindings)"
    }

    func cacheLine(_ dir: String) -> String {
        guard let info = FileSystem.info(dir), info.isDirectory else { return "\(dir) absent" }
        let files = FileSystem.list(dir).compactMap { FileSystem.info(dir + "/" + $0) }.filter { $0.isRegular }
        guard let newest = files.map({ $0.mtime }).max() else { return "\(dir) empty" }
        return "\(dir): \(files.count) files, \(files.reduce(0) { $0 + $1.size }) bytes, newest \(age(newest))"
    }

    /// AFTER MERGE (identity branch): count with the core's pin store.
    func pinsLine(_ path: String) -> String {
        guard let info = FileSystem.info(path) else { return "none" }
        if info.isDirectory { return "\(FileSystem.list(path).count) users pinned (\(path))" }
        if let text = FileSystem.readText(path), case .success(let v) = JSONParser.parse(Array(text.utf8)) {
            if let o = v.objectValue { return "\(o.count) users pinned (\(path))" }
            if let a = v.arrayValue { return "\(a.count) users pinned (\(path))" }
        }
        return "present (\(path))"
    }

    /// The module's closing lines ("... done: ...") from the auth log, newest last.
    func recentLogins(limit: Int = 5) -> [String] {
        guard let text = FileSystem.readText(context.host(ToolContext.authLog), maxBytes: 64 << 20) else { return [] }
        let hits = text.splitLines().lines.filter { $0.contains("pam_jcfed") && $0.contains("done:") }
        return Array(hits.suffix(limit))
    }
}
