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

extension Subprocess {
    /// Runs a program like `run`, with the same fixed environment, and returns its standard
    /// output (at most `maxBytes`; more is an error) and exit status. Its stderr is dropped, its
    /// stdin is /dev/null.
    static func capture(_ path: String, _ arguments: [String], maxBytes: Int = 64 << 20) -> (status: Int32, output: [UInt8])? {
        guard path.hasPrefix("/") else { return nil }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, STDOUT_FILENO)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment([:]).map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = argv.withUnsafeBufferPointer { a -> Int32 in
            envp.withUnsafeBufferPointer { e -> Int32 in
                guard let av = a.baseAddress, let ev = e.baseAddress else { return EINVAL }
                return posix_spawn(&pid, path, &actions, nil, UnsafeMutablePointer(mutating: av), UnsafeMutablePointer(mutating: ev))
            }
        }
        close(writeEnd)
        defer { close(readEnd) }
        guard rc == 0 else { return nil }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var tooMuch = false
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(readEnd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; break }
            if n == 0 { break }
            if out.count + n > maxBytes { tooMuch = true; kill(pid, SIGTERM); break }
            out.append(contentsOf: buffer.prefix(n))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return nil }
        }
        if tooMuch { return nil }
        let code: Int32 = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, out)
    }
}
