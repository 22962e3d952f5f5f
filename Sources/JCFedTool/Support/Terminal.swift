import JCFedAdmin
import JCFedCore
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

    /// One line from stdin without its line end; nil at end of input. With echo off on a
    /// terminal, Ctrl-C still gives the terminal its echo back before the process ends.
    static func readLine(echo: Bool = true) -> String? {
        if echo || !stdinIsTerminal { return Swift.readLine(strippingNewline: true).map(stripCR) }
        guard tcgetattr(STDIN_FILENO, &savedTermios) == 0 else { return Swift.readLine(strippingNewline: true).map(stripCR) }
        var quiet = savedTermios
        quiet.c_lflag &= ~tcflag_t(ECHO)
        echoIsOff = true
        let previous = signal(SIGINT, restoreEchoAndExit)
        _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        defer {
            _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &savedTermios)
            echoIsOff = false
            signal(SIGINT, previous)
            write("\n")
        }
        return Swift.readLine(strippingNewline: true).map(stripCR)
    }

    private static func stripCR(_ s: String) -> String {
        s.hasSuffix("\r") ? String(s.dropLast()) : s
    }
}

/// The tool's LogSink: lines at `threshold` or more severe on stderr (warnings by default; the
/// directory sync shows its retries, at info, too).
final class StderrLogSink: LogSink {
    let threshold: LogLevel
    init(threshold: LogLevel = .warning) { self.threshold = threshold }

    func log(_ level: LogLevel, _ message: String) {
        guard level <= threshold else { return }
        Terminal.err("jcfed: " + message)
    }
}

// State for the SIGINT handler (a C function pointer cannot capture).
private var savedTermios = termios()
private var echoIsOff = false

private func restoreEchoAndExit(_ signal: Int32) {
    if echoIsOff { _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &savedTermios) }
    _exit(130)
}
