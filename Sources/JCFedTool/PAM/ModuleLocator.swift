import JCFedAdmin
/// Finds pam_jcfed.so where libpam looks for modules (the multiarch directory on Debian,
/// lib64 elsewhere). Enabling a stack whose module is missing would make every login through
/// it pass through module_unknown, so `enable` refuses instead.
enum ModuleLocator {
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

    /// Target path of the installed module, if any.
    static func find(context: ToolContext) -> String? {
        candidates(context: context).first { path in
            FileSystem.info(context.host(path))?.isRegular ?? false
        }
    }
}
