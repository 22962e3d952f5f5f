
/// The exit statuses of every `jcfed` command, documented in `jcfed --help` and jcfed(8).
package enum ExitStatus {
    /// Done, or every check passed.
    package static let ok: Int32 = 0
    /// An invalid value, a failed check, or an operation that could not be completed.
    package static let failed: Int32 = 1
    /// Refused to protect the system: an existing IdP without --force, an unsafe secret file,
    /// confirmation not given, IdP checks failing at enable, a PAM stack that would lock out root,
    /// a --root tree that someone other than root could change (as root).
    package static let refused: Int32 = 2
    /// Nothing was changed, a manual step is needed (PAM lines printed for a system without
    /// pam-auth-update).
    package static let manual: Int32 = 3
    /// Command-line usage error (swift-argument-parser's EX_USAGE).
    package static let usage: Int32 = 64

    /// The table shown in `jcfed --help` (and kept in jcfed(8) EXIT STATUS).
    package static let helpText = """
        EXIT STATUS
          0   success (for 'idp test' and 'check-config': every check passed)
          1   invalid value, failed check, or operation failed
          2   refused for safety (existing IdP without --force, unsafe secret file,
              not confirmed, IdP checks failing at enable or at a change while
              enabled, unsafe PAM stack, a --root tree or cache others can change)
          3   manual step needed, nothing changed (PAM lines printed to add by hand)
          64  command-line usage error
        """
}

/// An error that has already been explained to the admin: a one-line message and the exit
/// status. Thrown by commands, reported by `ToolFailure.report`.
package struct ToolFailure: Error, CustomStringConvertible {
    package var status: Int32
    package var message: String

    package init(_ message: String, status: Int32 = ExitStatus.failed) {
        self.message = message
        self.status = status
    }

    /// Several lines (the first is the error, the rest explain).
    package init(status: Int32, lines: [String]) {
        self.init(lines.joined(separator: "\n"), status: status)
    }

    package static func refused(_ message: String) -> ToolFailure { ToolFailure(message, status: ExitStatus.refused) }

    package var description: String { message }
}
