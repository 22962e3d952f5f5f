import JCFedAdmin
import JCFedCore
#if canImport(Glibc)
import Glibc
#endif

/// The core's Prompter over this process's terminal, for `jcfed idp test --user`: the same
/// device login the PAM conversation drives in the module, shown on stdout and answered on
/// stdin. `isTerminal` tells the core it may draw the QR code.
final class TerminalPrompter: Prompter {
    init() {}

    func info(_ text: String) -> Bool {
        Terminal.out(text)
        return true
    }

    func error(_ text: String) -> Bool {
        Terminal.err(text)
        return true
    }

    /// nil at end of input (Ctrl-D): the core treats that as a cancelled conversation.
    func prompt(_ text: String, echo: Bool) -> String? {
        Terminal.write(text.hasSuffix(" ") || text.hasSuffix("\n") ? text : text + " ")
        return Terminal.readLine(echo: echo)
    }

    var isTerminal: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }
}
