/// TEMPORARY glue (identity branch): lets `jcfed directory ...` and `jcfed pins ...` run before
/// the root command (admin-tool branch) registers DirectoryCommand and PinsCommand as
/// subcommands. Delete this file and its one call in main.swift when merging that root.
enum IdentityCommandsGlue {
    /// true when the arguments named one of these commands (which then ran, or exited on error).
    static func dispatch(_ args: [String]) -> Bool {
        switch args.first {
        case "directory": DirectoryCommand.main(Array(args.dropFirst())); return true
        case "pins": PinsCommand.main(Array(args.dropFirst())); return true
        default: return false
        }
    }
}
