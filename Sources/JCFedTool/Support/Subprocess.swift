#if canImport(Glibc)
import Glibc
#endif

/// Runs a program (pam-auth-update) by its absolute path with posix_spawn and waits for it. Its
/// output goes to our stdout/stderr.
///
/// The environment is fixed, never the caller's: root reached with the user's environment kept
/// (`su` without `-`, `sudo -E`, env_keep) must not let PERL5LIB, PERL5OPT, LD_PRELOAD, PATH and
/// the like run code in the program. It gets `baseEnvironment` plus `extraEnvironment` (the
/// debconf variables under --root), nothing else.
enum Subprocess {
    static let baseEnvironment: [String: String] = [
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "LC_ALL": "C",
        "DEBIAN_FRONTEND": "noninteractive",
    ]

    /// The environment a child gets: `NAME=value`, sorted by name.
    static func environment(_ extraEnvironment: [String: String]) -> [String] {
        baseEnvironment.merging(extraEnvironment, uniquingKeysWith: { _, extra in extra })
            .sorted(by: { $0.key < $1.key }).map { "\($0.key)=\($0.value)" }
    }

    static func run(_ path: String, _ arguments: [String], extraEnvironment: [String: String] = [:]) -> Int32 {
        guard path.hasPrefix("/") else { return 127 }
        fflush(stdout)
        let envStrings = environment(extraEnvironment)

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = envStrings.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        // The child inherits the umask: a caller's `umask 0` must not make the files it writes
        // (pam-auth-update's common-*) writable by others.
        let callerMask = umask(0o022)
        defer { umask(callerMask) }
        let rc = argv.withUnsafeBufferPointer { a -> Int32 in
            envp.withUnsafeBufferPointer { e -> Int32 in
                guard let av = a.baseAddress, let ev = e.baseAddress else { return EINVAL }
                return posix_spawn(&pid, path, nil, nil, UnsafeMutablePointer(mutating: av), UnsafeMutablePointer(mutating: ev))
            }
        }
        guard rc == 0 else { return 127 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return 127 }
        }
        // WIFEXITED / WEXITSTATUS by hand (macros are not imported).
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }
}
