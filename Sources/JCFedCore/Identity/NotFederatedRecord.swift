/// A not-federated decision with every input it was made from, for the front module
/// (pam/front/pam_jcfed_front.c) to answer the same question again without loading the Swift core.
///
/// Routing (Routing.swift) decides from the module's arguments, jcfed.conf, the directory file,
/// the account NSS returns and the account's local groups, nothing else: not the clock (staleness
/// only ever refuses routed users), not the service, not the caller. The record holds each of
/// those inputs (the files by FileIdentity, which changes with any write, replacement, chmod or
/// chown), and the front answers PAM_IGNORE only when every one of them is what it is now; any
/// difference, or anything it cannot check, sends the login to the core, which decides again and
/// writes a new record. A record is written only for a clean decision that nothing else would have
/// logged: no configuration warning or error, no `debug` or unknown argument, the typed name the
/// account's own (the core logs the others).
///
/// The format is lines of text, written here and compared by the front field by field:
///
///     jcfed-not-federated 1
///     written SECONDS
///     config HEXPATH DEV INO SIZE MTIME_S MTIME_NS CTIME_S CTIME_NS
///     directory HEXPATH DEV INO SIZE MTIME_S MTIME_NS CTIME_S CTIME_NS   (or: directory HEXPATH missing)
///     user HEXNAME UID
///     groups[ HEXNAME]...
///
/// Strings are lowercase hex of their bytes (a path or group name may hold any byte but NUL).
/// `written` lets the front refuse a record from the future (a clock set back: the directory's
/// own time checks depend on the clock).
public struct NotFederatedRecord: Sendable, Equatable {
    public static let header = "jcfed-not-federated 1"

    public var written: Int64
    public var configPath: String
    public var config: FileIdentity
    public var directoryPath: String
    /// nil: the directory file did not exist (the front checks that it still does not).
    public var directory: FileIdentity?
    public var userName: String
    public var uid: UInt32
    /// The account's local group names, in NSS's order (getgrouplist, then getgrgid_r).
    public var groups: [String]

    public init(written: Int64, configPath: String, config: FileIdentity, directoryPath: String,
                directory: FileIdentity?, userName: String, uid: UInt32, groups: [String]) {
        self.written = written
        self.configPath = configPath
        self.config = config
        self.directoryPath = directoryPath
        self.directory = directory
        self.userName = userName
        self.uid = uid
        self.groups = groups
    }

    public var encoded: [UInt8] {
        var out = NotFederatedRecord.header + "\n"
        out += "written \(written)\n"
        out += "config \(NotFederatedRecord.hex(configPath)) \(NotFederatedRecord.fields(config))\n"
        if let d = directory {
            out += "directory \(NotFederatedRecord.hex(directoryPath)) \(NotFederatedRecord.fields(d))\n"
        } else {
            out += "directory \(NotFederatedRecord.hex(directoryPath)) missing\n"
        }
        out += "user \(NotFederatedRecord.hex(userName)) \(uid)\n"
        out += "groups"
        for g in groups { out += " " + NotFederatedRecord.hex(g) }
        out += "\n"
        return Array(out.utf8)
    }

    static func fields(_ i: FileIdentity) -> String {
        "\(i.device) \(i.inode) \(i.size) \(i.modifiedSeconds) \(i.modifiedNanoseconds) \(i.changedSeconds) \(i.changedNanoseconds)"
    }

    static func hex(_ s: String) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count * 2)
        for b in s.utf8 {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The record for a decision, or nil when it must not have one (see the type's comment).
    static func of(_ outcome: Outcome, subject: LoginSubject, args: ModuleArguments, users: UserDatabase,
                   now: Int64) -> NotFederatedRecord? {
        guard outcome.reason == .notRouted || outcome.reason == .notInDirectory,
              !args.debug, args.unknown.isEmpty,
              Array(subject.pamUser.utf8) == Array(subject.account.name.utf8),
              subject.loaded.warnings.isEmpty,
              let config = subject.loaded.fileIdentity else { return nil }
        let directory: FileIdentity?
        if let d = subject.directory {
            guard let identity = d.fileIdentity else { return nil }
            directory = identity
        } else {
            directory = nil
        }
        return NotFederatedRecord(written: now, configPath: args.configPath, config: config,
                                  directoryPath: subject.config.mapping.directory, directory: directory,
                                  userName: subject.account.name, uid: subject.account.uid,
                                  groups: users.groupNames(of: subject.account))
    }
}
