/// jcfed.conf as an earlier stage of the same PAM transaction read and parsed it: `auth` and
/// then `account` run on one PAM handle, and `account` reuses what `auth` read instead of
/// reading and parsing the file again, so every login and every sudo of a user who is not
/// federated parses it once. The memory belongs to one transaction (pam_set_data in the module,
/// freed by pam_end), never to the next one: an edit to jcfed.conf applies from the next login.
/// A host that runs the stages on different handles or in different processes (sshd's
/// keyboard-interactive child) simply finds nothing and reads the file.
public protocol ConfigMemory: AnyObject {
    /// What a stage of this transaction parsed from `path`, if any.
    func recall(path: String) -> ParsedConfigFile?
    func remember(_ file: ParsedConfigFile)
}

/// One read and parse of jcfed.conf: its settings, warnings and problems. The client secret is
/// not in it: each stage that needs it reads it, so it is held no longer than that stage.
public struct ParsedConfigFile: Sendable {
    public var path: String
    public var parsed: ConfigParseResult
    public var problems: ConfigProblems
    /// The file as it was read (nil from a storage without files).
    public var identity: FileIdentity?

    public init(path: String, parsed: ConfigParseResult, problems: ConfigProblems, identity: FileIdentity? = nil) {
        self.path = path
        self.parsed = parsed
        self.problems = problems
        self.identity = identity
    }
}
