/// A wanted member's value as `JSONParser.memberSlots` finds it, built only as far as it must
/// be: scalars are stored as they are and a string without escapes stays a range of the
/// document's bytes, so reading a token's header and claims allocates nothing per member.
/// Containers and escaped strings are built (`value`), checked exactly as `parse` checks them.
enum JSONSlot: Sendable, Equatable {
    /// The member is not in the object.
    case absent
    case null
    case bool(Bool)
    case number(Double)
    /// A string that had no escape: its (already checked) UTF-8 bytes in the document.
    case text(Range<Int>)
    /// Anything else, built: never `.null`, `.bool` or `.number` (those have their own cases).
    case value(JSONValue)

    /// The slot for an already built value (claims made from a dictionary).
    init(_ value: JSONValue?) {
        switch value {
        case nil: self = .absent
        case .null?: self = .null
        case .bool(let flag)?: self = .bool(flag)
        case .number(let number)?: self = .number(number)
        case let built?: self = .value(built)
        }
    }

    /// The value `JSONParser.parse` gives the member (nil when absent). `document` is the buffer
    /// the slot was read from; a range outside it (never made) reads as absent.
    func value(in document: [UInt8]) -> JSONValue? {
        switch self {
        case .absent: return nil
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .number(let number): return .number(number)
        case .text(let range):
            guard range.lowerBound >= 0, range.upperBound <= document.count else { return nil }
            return .string(String(decoding: document[range], as: UTF8.self))
        case .value(let built): return built
        }
    }
}
