#if canImport(Glibc)
import Glibc
#endif

/// Output and input on the controlling terminal or pipes, without Foundation.
enum Terminal {
    /// A line on stdout.
    static func out(_ line: String) {
        print(line)
    }

    /// A line on stderr (stdout is flushed first so the two stay in order on a terminal).
    static func err(_ line: String) {
        fflush(stdout)
        fputs(line + "\n", stderr)
    }

    /// Writes without a newline and flushes: for prompts.
    static func write(_ text: String) {
        fputs(text, stdout)
        fflush(stdout)
    }

    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// One line from stdin without its line end; nil at end of input.
    static func readLine(echo: Bool = true) -> String? {
        if echo || !stdinIsTerminal { return Swift.readLine(strippingNewline: true).map(stripCR) }
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { return Swift.readLine(strippingNewline: true).map(stripCR) }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        defer {
            _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            write("\n")
        }
        return Swift.readLine(strippingNewline: true).map(stripCR)
    }

    private static func stripCR(_ s: String) -> String {
        s.hasSuffix("\r") ? String(s.dropLast()) : s
    }
}
