/// The members of a JWS protected header that the policies read: `alg` (AlgorithmPolicy),
/// `kid` (KeySelection) and `crit` (CriticalHeaderPolicy). Nothing else is kept: `jku`, `x5u`,
/// `jwk`, `x5c` and the rest are checked as JSON and dropped, so no policy can read them.
/// JSON null is kept as `.null` (a `"kid": null` is not a string, `"crit": null` is present).
public struct JWSHeader: Sendable, Equatable {
    public enum Member: Int, CaseIterable, Sendable {
        case alg, kid, crit

        public var name: String {
            switch self {
            case .alg: return "alg"
            case .kid: return "kid"
            case .crit: return "crit"
            }
        }
    }

    /// The member names, in `Member` order (what `JSONParser.members` looks for).
    static let wanted = JSONMemberNames(Member.allCases.map { $0.name })

    private let slots: [JSONValue?]

    /// From `JSONParser.members(wanted: JWSHeader.wanted)`.
    init(slots: [JSONValue?]) {
        self.slots = slots
    }

    /// From an already parsed object (tests, tools): the members read, the rest ignored.
    public init(_ object: [String: JSONValue]) {
        slots = Member.allCases.map { object[$0.name] }
    }

    public subscript(_ member: Member) -> JSONValue? {
        member.rawValue < slots.count ? slots[member.rawValue] : nil
    }

    /// By name; nil for a member the policies do not read.
    public subscript(_ name: String) -> JSONValue? {
        guard let member = Member.allCases.first(where: { $0.name == name }) else { return nil }
        return self[member]
    }
}
