@testable import JCFedCore

extension JSONParser {
    /// `memberSlots` with every wanted member built as a JSONValue (nil where absent; JSON null
    /// stays `.null`): the tests' view, compared with `parse`.
    static func members(of bytes: [UInt8], in range: Range<Int>, wanted: JSONMemberNames,
                        maxBytes: Int = defaultMaxBytes,
                        maxDepth: Int = defaultMaxDepth) -> Result<[JSONValue?], JSONError> {
        memberSlots(of: bytes, in: range, wanted: wanted, maxBytes: maxBytes, maxDepth: maxDepth)
            .map { found in found.slots.indices.map { found.value($0, in: bytes) } }
    }
}
