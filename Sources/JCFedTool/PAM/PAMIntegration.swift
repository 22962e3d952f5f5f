import JCFedAdmin
import JCFedCore
#if canImport(Glibc)
import Glibc
#endif

/// Turns federated device authentication on and off in PAM, system-wide (pam-auth-update) or
/// per service (/etc/pam.d/<service>), and reports where it is on. Every stack is checked for
/// root's way in before it is written (per service) or right after (pam-auth-update, which is
/// rolled back if the check fails).
struct PAMIntegration {
    let context: ToolContext

    var pamDir: String { context.hostDirectory(ToolContext.pamDir) }
    var backupDir: String { context.hostDirectory(ToolContext.stateDir + "/pam.d-backup") }
    var authUpdate: PAMAuthUpdate { PAMAuthUpdate(context: context) }
    var stackCheck: PAMStackCheck {
        let dir = pamDir
        return PAMStackCheck(read: { name in
            guard !name.contains("/") || name.hasPrefix("/") else { return nil }
            return FileSystem.readText(name.hasPrefix("/") ? name : dir + "/" + name)
        })
    }

    struct State: Equatable {
        var systemWide: Bool
        var services: [String]
        var isEnabled: Bool { systemWide || !services.isEmpty }

        var description: String {
            var parts: [String] = []
            if systemWide { parts.append("system-wide (common-auth, common-account)") }
            if !services.isEmpty { parts.append("for " + services.joined(separator: ", ")) }
            return parts.isEmpty ? "disabled" : "enabled " + parts.joined(separator: "; ")
        }
    }

    func state() -> State {
        State(systemWide: authUpdate.isEnabled, services: PAMStackCheck.servicesUsingJCFed(pamDir: pamDir))
    }

    // MARK: per service

    /// Prepares every service edit first, so nothing is written unless all of them are safe.
    func planServices(_ services: [String], policy: OfflinePolicy, arguments: String) throws -> [(String, PAMServiceEditor.Edit)] {
        let authLine = PAMLines.serviceAuthLine(policy, arguments: arguments)
        let accountLine = PAMLines.serviceAccountLine(policy, arguments: arguments)
        var plan: [(String, PAMServiceEditor.Edit)] = []
        for service in services {
            guard ConfigKeys.isServiceName(service) else {
                throw ToolFailure("--services: '\(service)' is not a PAM service name")
            }
            guard !service.hasPrefix("common-") else {
                throw ToolFailure("--services: \(service) is managed by pam-auth-update; run 'jcfed enable' without --services for system-wide")
            }
            if FileSystem.info(pamDir + "/" + service)?.isSymlink ?? false {
                throw ToolFailure("--services: \(pamDir)/\(service) is a symbolic link; enable the service it points to")
            }
            guard let text = FileSystem.readText(pamDir + "/" + service) else {
                throw ToolFailure("--services: \(pamDir)/\(service) does not exist")
            }
            let edit: PAMServiceEditor.Edit
            do {
                edit = try PAMServiceEditor.insert(into: text, authLine: authLine, accountLine: accountLine)
            } catch let f as ToolFailure {
                throw ToolFailure(status: ExitStatus.manual, lines: [
                    "\(pamDir)/\(service): \(f.message); nothing was changed. Add by hand, before the line that runs pam_unix.so for auth:",
                    "  " + authLine, "and before the first account line:", "  " + accountLine])
            }
            let problems = stackCheck.problems(service: service, text: edit.text)
            guard problems.isEmpty else {
                throw ToolFailure(status: ExitStatus.refused, lines: ["refusing to write a stack that could lock out root:"] + problems.map { "  " + $0 })
            }
            plan.append((service, edit))
        }
        return plan
    }

    /// Writes planned edits, keeping the original of each file (the first time) for `disable`.
    func apply(_ plan: [(String, PAMServiceEditor.Edit)]) throws -> [String] {
        var notes: [String] = []
        for (service, edit) in plan {
            let path = pamDir + "/" + service
            guard let current = FileSystem.readText(path) else { throw ToolFailure("cannot read \(path)") }
            let backup = backupDir + "/" + service
            if !FileSystem.exists(backup) {
                try FileSystem.makeDirectories(backupDir, mode: 0o700)
                try FileSystem.writeAtomically(backup, text: PAMServiceEditor.removeMarked(from: current).text,
                                               mode: 0o644, owner: context.writeOwner)
            }
            let mode = FileSystem.info(path).map { mode_t($0.mode & 0o7777) } ?? 0o644
            try FileSystem.writeAtomically(path, text: edit.text, mode: mode, owner: context.writeOwner)
            notes += edit.notes.map { "\(path): \($0)" }
        }
        return notes
    }

    /// Removes jcfed's marked lines from one service; restores the saved original when the
    /// file is otherwise unchanged.
    func disableService(_ service: String) throws -> [String] {
        let path = pamDir + "/" + service
        guard let text = FileSystem.readText(path) else { return [] }
        let result = PAMServiceEditor.removeMarked(from: text)
        var notes: [String] = []
        if result.removed > 0 {
            let mode = FileSystem.info(path).map { mode_t($0.mode & 0o7777) } ?? 0o644
            try FileSystem.writeAtomically(path, text: result.text, mode: mode, owner: context.writeOwner)
        }
        let backup = backupDir + "/" + service
        if let original = FileSystem.readText(backup) {
            if original == result.text {
                try FileSystem.remove(backup)
            } else {
                notes.append("\(path) changed since 'jcfed enable'; only jcfed's lines were removed (the file as it was is kept in \(backup))")
            }
        }
        if PAMStackCheck.containsJCFed(result.text) {
            notes.append("\(path) still has a pam_jcfed.so line that jcfed did not add; remove it by hand")
        }
        return notes
    }

    // MARK: system-wide

    func enableSystemWide(policy: OfflinePolicy, arguments: String) throws {
        let updater = authUpdate
        try updater.writeProfile(policy, arguments: arguments)
        try updater.enable()
        guard updater.isEnabled else {
            throw ToolFailure(status: ExitStatus.failed, lines: [
                "pam-auth-update did not add pam_jcfed.so to \(updater.commonAuthHostPath) (local changes to common-*?).",
                "Use 'jcfed enable --services sshd,login', or run 'pam-auth-update' and select the jcfed profile."])
        }
        let problems = stackCheck.problems(service: "common-auth")
        if !problems.isEmpty {
            // The caller's PAMTransaction restores every file pam-auth-update wrote.
            throw ToolFailure(status: ExitStatus.refused,
                              lines: ["the stack pam-auth-update made could lock out root:"] + problems.map { "  " + $0 })
        }
    }

    /// Host paths pam-auth-update reads or writes: common-*, its saved state, the profiles,
    /// debconf's databases. A transaction snapshots them all.
    var authUpdatePaths: [String] {
        let types = ["auth", "account", "password", "session", "session-noninteractive"]
        let pam = types.map { pamDir + "/common-" + $0 }
        let saved = context.hostDirectory(ToolContext.pamSavedStateDir)
        let debconf = context.hostDirectory("/var/cache/debconf")
        return pam + (types + ["seen"]).map { saved + "/" + $0 } + [authUpdate.profileHostPath]
            + ["config.dat", "config.dat-old", "templates.dat", "templates.dat-old"].map { debconf + "/" + $0 }
    }

    /// What pam-auth-update would make of common-auth and common-account, run on a private copy
    /// of its files (for --dry-run): target path -> new text.
    func simulateAuthUpdate(enable: Bool, profile: String?) throws -> [String: String] {
        var template = Array("/tmp/jcfed-dry-run.XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf -> Bool in
            guard let base = buf.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        guard made else { throw ToolFailure("cannot create a temporary directory: \(FileSystem.errorText())") }
        let tmp = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { try? FileSystem.removeTree(tmp) }
        func copy(_ hostDir: String, _ targetDir: String, _ keep: (String) -> Bool) throws {
            try FileSystem.makeDirectories(tmp + targetDir)
            for name in FileSystem.list(hostDir) where keep(name) && (FileSystem.info(hostDir + "/" + name)?.isRegular ?? false) {
                if let bytes = PAMTransaction.readBytes(hostDir + "/" + name) {
                    try FileSystem.writeAtomically(tmp + targetDir + "/" + name, contents: bytes, mode: 0o644, owner: nil)
                }
            }
        }
        try copy(pamDir, ToolContext.pamDir, { $0.hasPrefix("common-") })
        try copy(context.hostDirectory(ToolContext.pamConfigsDir), ToolContext.pamConfigsDir, { _ in true })
        try copy(context.hostDirectory(ToolContext.pamSavedStateDir), ToolContext.pamSavedStateDir, { _ in true })
        try copy(context.hostDirectory("/var/cache/debconf"), "/var/cache/debconf", { $0.hasSuffix(".dat") && !$0.hasPrefix("passwords") })
        if let profile = profile {
            try FileSystem.writeAtomically(tmp + ToolContext.pamConfigsDir + "/" + PAMAuthUpdate.profileName, text: profile, mode: 0o644, owner: nil)
        }
        let sandbox = PAMAuthUpdate(context: ToolContext(root: tmp, configOverride: nil))
        if enable { try sandbox.enable() } else { try sandbox.disable() }
        var out: [String: String] = [:]
        for name in ["common-auth", "common-account", "common-password", "common-session", "common-session-noninteractive"] {
            if let text = FileSystem.readText(tmp + ToolContext.pamDir + "/" + name) { out[ToolContext.pamDir + "/" + name] = text }
        }
        return out
    }

    // MARK: everything

    /// Turns the integration off wherever it is on.
    func disableAll() throws -> [String] {
        var notes: [String] = []
        let current = state()
        if current.systemWide {
            try authUpdate.disable()
            if authUpdate.isEnabled {
                notes.append("pam_jcfed.so is still in \(authUpdate.commonAuthHostPath); run pam-auth-update and deselect the jcfed profile")
            }
        }
        for service in current.services { notes += try disableService(service) }
        return notes
    }

    /// What to add on a system without pam-auth-update.
    static func manualInstructions(policy: OfflinePolicy, arguments: String) -> [String] {
        [
            "This system has no pam-auth-update managing /etc/pam.d/common-auth; nothing was changed.",
            "Either run 'jcfed enable --services sshd,login' to edit those service files, or add by hand",
            "to each /etc/pam.d/<service>, just before the line that runs (or includes) pam_unix.so for auth:",
            "",
            "    " + PAMLines.serviceAuthLine(policy, arguments: arguments),
            "",
            "and before its first account line:",
            "",
            "    " + PAMLines.serviceAccountLine(policy, arguments: arguments),
            "",
            "Keep pam_unix.so after it: root and users who are not federated log in with their password.",
        ]
    }
}
