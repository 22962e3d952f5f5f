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

    /// The member names, in `Member` order (what `JSONParser.memberSlots` looks for).
    static let wanted = JSONMemberNames(Member.allCases.map { $0.name })

    /// The decoded header the slots' strings are ranges of (empty for a header from a dictionary).
    private let document: [UInt8]
    private let members: JSONMembers

    /// From `JSONParser.memberSlots(wanted: JWSHeader.wanted)` over `document`.
    init(document: [UInt8], members: JSONMembers) {
        self.document = document
        self.members = members
    }

    /// From an already parsed object (tests, tools): the members read, the rest ignored.
    public init(_ object: [String: JSONValue]) {
        document = []
        members = JSONMembers(Member.allCases.map { object[$0.name] })
    }

    private func slot(_ member: Member) -> JSONSlot {
        members.slot(member.rawValue)
    }

    /// The member as a JSON value (built on each call; the policies use `isPresent` and `text`).
    public subscript(_ member: Member) -> JSONValue? {
        members.value(member.rawValue, in: document)
    }

    /// By name; nil for a member the policies do not read.
    public subscript(_ name: String) -> JSONValue? {
        guard let member = Member.allCases.first(where: { $0.name == name }) else { return nil }
        return self[member]
    }

    /// Equal when every member the policies read has the same JSON value (wherever it is kept).
    public static func == (lhs: JWSHeader, rhs: JWSHeader) -> Bool {
        Member.allCases.allSatisfy { lhs[$0] == rhs[$0] }
    }

    /// Whether the member is in the header at all (JSON null counts: `"crit": null` is present).
    public func isPresent(_ member: Member) -> Bool {
        if case .absent = slot(member) { return false }
        return true
    }

    /// The member if it is a JSON string, without building a String; nil otherwise (absent,
    /// null or another type: the caller tells these apart with `isPresent`).
    public func text(_ member: Member) -> ClaimText? {
        switch slot(member) {
        case .text(let range):
            guard range.lowerBound >= 0, range.upperBound <= document.count else { return nil }
            return ClaimText(bytes: document[range])
        case .built(let index):
            guard case .string(let text)? = members.built(index) else { return nil }
            return ClaimText(text)
        case .absent, .null, .bool, .number, .strings: return nil
        }
    }
}
