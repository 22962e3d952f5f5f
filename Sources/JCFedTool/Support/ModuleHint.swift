#if canImport(Glibc)
import JCFedAdmin
import Glibc
#endif

extension ModuleLocator {
    /// Debian's directory for PAM modules on this machine's architecture
    /// (/usr/lib/x86_64-linux-gnu/security on amd64).
    static var debianDirectory: String {
        var u = utsname()
        uname(&u)
        let machine = withUnsafePointer(to: u.machine) {
            $0.withMemoryRebound(to: CChar.self, capacity: 65) { String(cString: $0) }
        }
        let triplet: String
        switch machine {
        case "x86_64": triplet = "x86_64-linux-gnu"
        case "aarch64": triplet = "aarch64-linux-gnu"
        case "armv7l", "armv6l": triplet = "arm-linux-gnueabihf"
        case "i686", "i586", "i386": triplet = "i386-linux-gnu"
        default: triplet = machine + "-linux-gnu"
        }
        return "/usr/lib/\(triplet)/security"
    }

    /// Why enable cannot go on without the module: every directory looked in, Debian's first.
    static func missingMessage(context: ToolContext) -> String {
        if let front = withoutCore(context: context) {
            return "not enabled: \(front) is installed but its core, \(core(of: front)), is missing: "
                + "every federated login would fail. Reinstall jcfed (make install or the package) and run enable again"
        }
        var dirs = candidates(context: context).map(FileSystem.directoryName)
        if !dirs.contains(debianDirectory) { dirs.insert(debianDirectory, at: 0) }
        return "not enabled: \(PAMLines.moduleName) is not installed; looked in \(dirs.joined(separator: ", ")). "
            + "Install it (make install puts it in \(debianDirectory) on Debian and Ubuntu) and run enable again"
    }
}
