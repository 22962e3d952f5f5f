/// syslog levels as linux-pam modules use them.
public enum LogLevel: Int32, Sendable, Comparable {
    case crit = 2, err = 3, warning = 4, notice = 5, info = 6, debug = 7
    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// Where admin-facing lines go: pam_syslog in the module, stderr in the tool, an array in tests.
/// Callers never pass tokens, device codes, secrets or user input.
public protocol LogSink: AnyObject {
    func log(_ level: LogLevel, _ message: String)
    /// Whether a line at `level` would be written (pam_syslog drops LOG_DEBUG without `debug`).
    func wants(_ level: LogLevel) -> Bool
}

extension LogSink {
    public func wants(_ level: LogLevel) -> Bool { true }

    /// A LOG_DEBUG line, built only when it is written: a login without `debug` then formats no
    /// number into text (the standard library's integer printing is code of its own, pages
    /// every login process would otherwise map).
    public func debug(_ message: @autoclosure () -> String) {
        if wants(.debug) { log(.debug, message()) }
    }
}

/// A sink that keeps lines, for tests and for the tool's summaries.
public final class MemoryLogSink: LogSink {
    public private(set) var lines: [(LogLevel, String)] = []
    public init() {}
    public func log(_ level: LogLevel, _ message: String) { lines.append((level, message)) }
    public var text: String { lines.map { $0.1 }.joined(separator: "\n") }
}
