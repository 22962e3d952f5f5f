/// The module's arguments in a pam.d line: `config=PATH` and `debug`. Unknown arguments are
/// reported (the caller logs them at LOG_ERR) and ignored, as linux-pam's modules do.
public struct ModuleArguments: Sendable, Equatable {
    public var configPath = ConfigLoader.defaultPath
    public var debug = false
    public var unknown: [String] = []

    public init() {}

    public init(_ args: [String]) {
        for arg in args {
            if arg == "debug" {
                debug = true
            } else if arg.startsWithASCII("config="), arg.count > "config=".count {
                configPath = String(arg.dropFirst("config=".count))
            } else {
                unknown.append(arg)
            }
        }
    }
}
