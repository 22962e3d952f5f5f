/// A JWK Set (RFC 7517 §5) as served by the IdP's `jwks_uri`: the keys that may check an ID
/// token's signature, and a report of every key that was left out and why (for the admin log).
/// One bad key does not spoil the set (IdPs publish encryption keys and new key types beside
/// their signing keys); a document that is not a JWK Set at all is an error.
public struct JWKSet: Sendable, Equatable {
    /// A key of the document that was not taken, by its position and `kid` when it had one.
    public struct SkippedKey: Sendable, Equatable, CustomStringConvertible {
        public var index: Int
        public var kid: String?
        public var problem: JWKProblem

        public init(index: Int, kid: String?, problem: JWKProblem) {
            self.index = index
            self.kid = kid
            self.problem = problem
        }

        public var description: String { "key #\(index): \(problem)" }
    }

    public var keys: [JWK]
    public var skipped: [SkippedKey]

    public init(keys: [JWK], skipped: [SkippedKey] = []) {
        self.keys = keys
        self.skipped = skipped
    }

    /// Parses the JSON bytes of a JWK Set with the strict JSON parser.
    public static func parse(_ bytes: [UInt8]) -> Result<JWKSet, JWKSetError> {
        let document: JSONValue
        switch JSONParser.parse(bytes) {
        case .success(let value): document = value
        case .failure(let error): return .failure(.json(error))
        }
        guard let object = document.objectValue else { return .failure(.notAnObject) }
        guard let members = object["keys"]?.arrayValue else { return .failure(.noKeysArray) }
        var set = JWKSet(keys: [])
        for (index, member) in members.enumerated() {
            switch JWK.parse(member) {
            case .success(let key):
                set.keys.append(key)
            case .failure(let problem):
                set.skipped.append(SkippedKey(index: index, kid: member["kid"]?.stringValue, problem: problem))
            }
        }
        return .success(set)
    }
}

/// A document that is not a JWK Set.
public enum JWKSetError: Error, Sendable, Equatable, CustomStringConvertible {
    case json(JSONError)
    case notAnObject
    /// `keys` is missing or not an array.
    case noKeysArray

    public var description: String {
        switch self {
        case .json(let error): return "not valid JSON (\(error))"
        case .notAnObject: return "not a JSON object"
        case .noKeysArray: return "has no \"keys\" array"
        }
    }
}
