/// A precise configuration problem: which file, which line, which key, what is wrong.
/// Its description is the one LOG_ERR line the admin sees.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var key: String?
    public var problem: String

    public init(path: String, line: Int? = nil, key: String? = nil, problem: String) {
        self.path = path
        self.line = line
        self.key = key
        self.problem = problem
    }

    public var description: String {
        var s = path
        if let line = line { s += ":\(line)" }
        if let key = key { s += ": \(key)" }
        return s + ": " + problem
    }
}
