#if canImport(Glibc)
import Glibc
#endif

/// Runs a program (pam-auth-update) with posix_spawn and waits for it. Its output goes to our
/// stdout/stderr. The environment is ours plus `extraEnvironment`.
enum Subprocess {
    static func run(_ path: String, _ arguments: [String], extraEnvironment: [String: String] = [:]) -> Int32 {
        fflush(stdout)
        var envStrings: [String] = []
        var index = 0
        while let entry = environ[index] {
            let s = String(cString: entry)
            let name = s.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            if extraEnvironment[name] == nil { envStrings.append(s) }
            index += 1
        }
        for (k, v) in extraEnvironment.sorted(by: { $0.key < $1.key }) { envStrings.append("\(k)=\(v)") }

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = envStrings.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
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
