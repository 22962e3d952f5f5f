import JCFedAdmin
/// Finds pam_jcfed.so where libpam looks for modules (the multiarch directory on Debian,
/// lib64 elsewhere), with its core (pam_jcfed_core.so) beside it. Enabling a stack whose module is
/// missing would make every login through it pass through module_unknown, and one whose core is
/// missing would make every federated login fail, so `enable` refuses instead.
enum ModuleLocator {
    /// The Swift core the module (the front) loads from its own folder.
    static let coreName = "pam_jcfed_core.so"

    /// The core's path beside the module at `path`.
    static func core(of path: String) -> String {
        FileSystem.directoryName(path) + "/" + coreName
    }

    static func candidates(context: ToolContext) -> [String] {
        var dirs: [String] = []
        for base in ["/usr/lib", "/lib"] {
            for entry in FileSystem.list(context.hostDirectory(base)) where entry.contains("-linux-") {
                dirs.append("\(base)/\(entry)/security")
            }
        }
        dirs += ["/usr/lib64/security", "/lib64/security", "/usr/lib/security", "/lib/security"]
        return dirs.map { $0 + "/" + PAMLines.moduleName }
    }

    /// Target path of the installed module, if any (only with its core beside it).
    static func find(context: ToolContext) -> String? {
        candidates(context: context).first { path in
            isRegular(path, context) && isRegular(core(of: path), context)
        }
    }

    /// A module found without its core (an incomplete install), if any.
    static func withoutCore(context: ToolContext) -> String? {
        candidates(context: context).first { path in
            isRegular(path, context) && !isRegular(core(of: path), context)
        }
    }

    private static func isRegular(_ path: String, _ context: ToolContext) -> Bool {
        FileSystem.info(context.host(path))?.isRegular ?? false
    }
}
