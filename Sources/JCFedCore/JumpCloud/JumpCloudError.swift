/// Why a JumpCloud sync failed. The previous directory file is always kept.
public struct JumpCloudError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case unauthorized     // 401/403: the key (or device signature) was refused
        case http             // another HTTP error status
        case unreachable      // transport failure after the retries
        case malformed        // a body that is not the JSON shape we expect
        case inconsistent     // pages that do not add up (collection changed while paging)
        case configuration    // missing key file, agent files, bad URL
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
