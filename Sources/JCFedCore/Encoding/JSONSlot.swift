/// A wanted member's value as `JSONParser.memberSlots` finds it, built only as far as it must
/// be: scalars are stored as they are and a string without escapes stays a range of the
/// document's bytes, so reading a token's header and claims allocates nothing per member.
/// An array of such strings (a token's `groups`) stays a range too. Other containers and escaped
/// strings are built (checked exactly as `parse` checks them) and kept beside the slots
/// (`JSONMembers.built`), so a slot holds no reference: arrays of slots are plain memory to make,
/// copy and free.
enum JSONSlot: Sendable, Equatable {
    /// The member is not in the object.
    case absent
    case null
    case bool(Bool)
    case number(Double)
    /// A string that had no escape: its (already checked) UTF-8 bytes in the document.
    case text(Range<Int>)
    /// An array whose items are all strings without escapes (already checked): the array's
    /// text in the document, `[` to `]`. Its items are read by `JSONSlot.items`.
    case strings(Range<Int>)
    /// `built[index]`: never `.null`, `.bool` or `.number` (those have their own cases).
    case built(Int)
}

/// What `JSONParser.memberSlots` finds: one slot per wanted name, in the names' order, and
/// the values that had to be built.
struct JSONMembers: Sendable {
    let slots: [JSONSlot]
    let built: [JSONValue]

    init(slots: [JSONSlot], built: [JSONValue]) {
        self.slots = slots
        self.built = built
    }

    /// From already built values (claims made from a dictionary), nil where absent.
    init(_ values: [JSONValue?]) {
        var slots: [JSONSlot] = []
        var built: [JSONValue] = []
        for value in values {
            switch value {
            case nil: slots.append(.absent)
            case .null?: slots.append(.null)
            case .bool(let flag)?: slots.append(.bool(flag))
            case .number(let number)?: slots.append(.number(number))
            case let other?:
                slots.append(.built(built.count))
                built.append(other)
            }
        }
        self.slots = slots
        self.built = built
    }

    /// The slot of wanted name `index`; absent outside the names.
    func slot(_ index: Int) -> JSONSlot {
        index >= 0 && index < slots.count ? slots[index] : .absent
    }

    /// A built value; nil for an index never made.
    func built(_ index: Int) -> JSONValue? {
        index >= 0 && index < built.count ? built[index] : nil
    }

    /// The value `JSONParser.parse` gives wanted name `index` (nil when absent). `document` is
    /// the buffer the slots were read from; a range outside it (never made) reads as absent.
    func value(_ index: Int, in document: [UInt8]) -> JSONValue? {
        switch slot(index) {
        case .absent: return nil
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .number(let number): return .number(number)
        case .text(let range):
            guard range.lowerBound >= 0, range.upperBound <= document.count else { return nil }
            return .string(String(decoding: document[range], as: UTF8.self))
        case .strings(let list):
            guard list.lowerBound >= 0, list.upperBound <= document.count else { return nil }
            return .array(ClaimStrings(document: document, list: list).strings.map { .string($0) })
        case .built(let index): return built(index)
        }
    }
}

extension JSONSlot {
    /// The items of a `.strings` array `list` of `document`, in order: each the range of its
    /// bytes between its quotes. The array's text holds no backslash, so every quote in it opens
    /// or closes an item; what is outside the quotes is `[`, `]`, `,` and whitespace.
    static func items(of list: Range<Int>, in document: [UInt8], _ body: (Range<Int>) -> Void) {
        let end = min(list.upperBound, document.count)
        var i = max(list.lowerBound, 0)
        // i < end <= document.count in every read.
        while i < end {
            guard document[i] == UInt8(ascii: "\"") else {
                i += 1
                continue
            }
            let open = i + 1
            i = open
            while i < end, document[i] != UInt8(ascii: "\"") { i += 1 }
            guard i < end else { return }
            body(open..<i)
            i += 1
        }
    }
}
