import ArgumentParser
import JCFedAdmin
import JCFedCore
#if canImport(Glibc)
import Glibc
#endif

/// What `jcfed directory sync` does for fleets: a per-device splay for cron and MDM
/// schedules, the refusal of an org admin API key on a device, the lock that serialises `sync`
/// and `import`, and `jcfed directory schedule` for the packaged systemd timer.
enum DirectoryFleet {
    static let timerUnit = "jcfed-directory-sync.timer"
    static let unitDirectory = "/usr/lib/systemd/system"
    static let wantsDirectory = "/etc/systemd/system/timers.target.wants"

    /// This device's fixed delay in 0..<seconds: FNV-1a (64 bit) of "jcfed-directory-sync\n"
    /// followed by the machine id, modulo `seconds`. The same device always waits the same time;
    /// machine ids are random, so devices spread evenly over the window.
    static func splayDelay(machineID: String, seconds: Int) -> Int {
        guard seconds > 1 else { return 0 }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in Array("jcfed-directory-sync\n".utf8) + Array(machineID.utf8) {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return Int(h % UInt64(seconds))
    }

    /// True when the JumpCloud agent is installed here (its jcagent.conf exists).
    static func agentInstalled(agentDir: String) -> Bool {
        var st = stat()
        return lstat(agentDir + "/jcagent.conf", &st) == 0
    }

    /// An exclusive lock on `<stateDir>/directory.lock` held until the returned descriptor is
    /// closed (at exit): a timer's sync and an admin's import cannot undo each other.
    static func lock(stateDir: String, owner: UInt32, waitSeconds: Int = 10) throws -> Int32 {
        let path = stateDir + "/directory.lock"
        let makeStateDir = { (try? FileSystem.makeDirectories(stateDir, mode: 0o755)) != nil }
        switch LockFile.acquire(path, owner: owner, waitSeconds: waitSeconds, makeParent: makeStateDir) {
        case .success(let fd): return fd
        case .failure(.cannotOpen(let why)):
            throw ToolFailure("cannot open the lock file \(path): \(why); nothing was written")
        case .failure(.notOurs):
            throw ToolFailure("the lock file \(path) is not a regular file owned by uid \(owner); remove it and run the command again")
        case .failure(.busy):
            throw ToolFailure("another jcfed directory sync or import is running (it holds \(path)); nothing was written; try again when it has finished")
        }
    }

    /// `jcfed directory schedule enable|disable|status`.
    struct Schedule: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable, disable or show the packaged daily sync timer (jcfed-directory-sync.timer).",
            discussion: """
            enable runs `systemctl enable --now jcfed-directory-sync.timer` (disable: `systemctl \
            disable --now`), with a fixed environment. Under --root DIR nothing is started: the \
            timer is enabled by its symlink in DIR/etc/systemd/system/timers.target.wants.
            """)

        enum Action: String, CaseIterable, ExpressibleByArgument { case enable, disable, status }

        @OptionGroup var options: GlobalOptions

        @Argument(help: "enable, disable or status")
        var action: Action

        func run() throws {
            try reading(options) { context in
                // status only reads; enable and disable change the system.
                if action != .status { try context.requireRootForChanges() }
                let root = context.root
                if root == "/" {
                    let candidates: [String] = ["/usr/bin/systemctl", "/bin/systemctl"]
                    guard let systemctl = candidates.first(where: { access($0, X_OK) == 0 }) else {
                        throw ToolFailure("systemctl was not found: this system does not run systemd; schedule `jcfed directory sync --splay SECONDS` with cron instead")
                    }
                    guard access(unitDirectory + "/" + timerUnit, F_OK) == 0 else {
                        throw ToolFailure("\(unitDirectory)/\(timerUnit) is not installed (install the jcfed package)")
                    }
                    let status: Int32
                    switch action {
                    case .enable: status = Subprocess.run(systemctl, ["enable", "--now", timerUnit])
                    case .disable: status = Subprocess.run(systemctl, ["disable", "--now", timerUnit])
                    case .status: status = Subprocess.run(systemctl, ["list-timers", "--all", "--no-pager", timerUnit])
                    }
                    guard status == 0 || action == .status else {
                        throw ToolFailure("systemctl \(action.rawValue) \(timerUnit) failed (exit \(status))")
                    }
                    return
                }
                let unit = root + unitDirectory + "/" + timerUnit
                let wants = root + wantsDirectory
                let link = wants + "/" + timerUnit
                var st = stat()
                let linked = lstat(link, &st) == 0 && UInt32(st.st_mode) & UInt32(S_IFMT) == UInt32(S_IFLNK)
                switch action {
                case .status:
                    Terminal.out("\(timerUnit): " + (access(unit, F_OK) == 0 ? (linked ? "enabled" : "disabled") : "not installed")
                          + " (under \(root))")
                case .enable:
                    guard access(unit, F_OK) == 0 else { throw ToolFailure("\(unit) is not installed (install the jcfed package)") }
                    if linked { Terminal.out("\(timerUnit): already enabled"); return }
                    try FileSystem.makeDirectories(wants, mode: 0o755)
                    guard symlink(unitDirectory + "/" + timerUnit, link) == 0 else {
                        throw ToolFailure("cannot create \(link): \(String(cString: strerror(errno)))")
                    }
                    Terminal.out("\(timerUnit): enabled (\(link))")
                case .disable:
                    if linked, unlink(link) != 0 {
                        throw ToolFailure("cannot remove \(link): \(String(cString: strerror(errno)))")
                    }
                    Terminal.out("\(timerUnit): disabled")
                }
            }
        }
    }
}
