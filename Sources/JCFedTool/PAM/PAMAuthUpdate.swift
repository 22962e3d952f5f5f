import JCFedAdmin
import JCFedCore
#if canImport(Glibc)
import Glibc
#endif

/// Debian/Ubuntu's pam-auth-update: the profile /usr/share/pam-configs/jcfed and the command
/// that merges enabled profiles into /etc/pam.d/common-*.
///
/// Under --root DIR the same program runs as `pam-auth-update --root DIR`, with debconf
/// pointed (DEBCONF_SYSTEMRC) at DIR's own database in DIR/var/cache/debconf: the stacks are
/// exactly what pam-auth-update makes (golden tests compare them) and this host's PAM and
/// debconf state are never touched.
struct PAMAuthUpdate {
    static let hostBinary = "/usr/sbin/pam-auth-update"
    static let profileName = "jcfed"
    static let primaryMarker = "# here are the per-package modules (the \"Primary\" block)"

    let context: ToolContext

    var profileHostPath: String { context.host(ToolContext.pamConfigsDir + "/" + PAMAuthUpdate.profileName) }
    var commonAuthHostPath: String { context.host(ToolContext.pamDir + "/common-auth") }

    /// pam-auth-update is installed here and manages the root's common-auth.
    var isAvailable: Bool {
        guard FileSystem.isExecutable(PAMAuthUpdate.hostBinary),
              let text = FileSystem.readText(commonAuthHostPath) else { return false }
        return text.contains(PAMAuthUpdate.primaryMarker)
    }

    /// pam_jcfed.so is in the managed common-auth.
    var isEnabled: Bool {
        guard let text = FileSystem.readText(commonAuthHostPath) else { return false }
        return PAMStackCheck.containsJCFed(text)
    }

    func writeProfile(_ policy: OfflinePolicy, arguments: String) throws {
        try FileSystem.writeAtomically(profileHostPath, text: PAMLines.profile(policy, arguments: arguments),
                                       mode: 0o644, owner: context.writeOwner)
    }

    func enable() throws { try run(["--enable", PAMAuthUpdate.profileName]) }
    func disable() throws { try run(["--disable", PAMAuthUpdate.profileName]) }

    private func run(_ action: [String]) throws {
        var arguments = ["--package"] + action
        var environment: [String: String] = [:]  // Subprocess adds PATH, LC_ALL, DEBIAN_FRONTEND
        var debconfConfig: String?
        if !context.isSystemRoot {
            // pam-auth-update prefixes its paths with DIR and follows any symbolic link there.
            if let problem = RootTree.pamAuthUpdateProblem(root: context.root, checkOwners: geteuid() == 0) {
                throw ToolFailure.refused("not running pam-auth-update --root \(context.root): \(problem)")
            }
            arguments = ["--root", context.root] + arguments
            let conf = try privateDebconfConfig()
            debconfConfig = conf
            environment["DEBCONF_SYSTEMRC"] = conf
        }
        defer { if let c = debconfConfig { unlink(c) } }
        let status = Subprocess.run(PAMAuthUpdate.hostBinary, arguments, extraEnvironment: environment)
        guard status == 0 else {
            throw ToolFailure("\(PAMAuthUpdate.hostBinary) \(arguments.joined(separator: " ")) failed with status \(status)")
        }
    }

    /// A debconf.conf (in a private temporary file) whose databases are the root's own.
    private func privateDebconfConfig() throws -> String {
        let dir = context.hostDirectory("/var/cache/debconf")
        try FileSystem.makeDirectories(dir)
        // debconf writes its databases by name (config.dat-new, ...), following links.
        if let link = FileSystem.list(dir).first(where: { FileSystem.info(dir + "/" + $0)?.isSymlink ?? false }) {
            throw ToolFailure.refused("not running pam-auth-update --root \(context.root): \(dir)/\(link) is a symbolic link")
        }
        let text = """
            Config: configdb
            Templates: templatedb

            Name: configdb
            Driver: File
            Filename: \(dir)/config.dat

            Name: templatedb
            Driver: File
            Filename: \(dir)/templates.dat

            """
        var template = Array("/tmp/jcfed-debconf.XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buf -> Int32 in
            guard let base = buf.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard fd >= 0 else { throw ToolFailure("cannot create a temporary file: \(FileSystem.errorText())") }
        let path = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { raw in write(fd, raw.baseAddress, raw.count) }
        close(fd)
        guard written == bytes.count else {
            unlink(path)
            throw ToolFailure("cannot write \(path)")
        }
        return path
    }
}
