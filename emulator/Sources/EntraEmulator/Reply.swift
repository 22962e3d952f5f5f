// What an endpoint answers, before the transport faults are applied and it becomes a Hummingbird Response.
import Foundation

struct Reply {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    /// For the stderr log: the Entra `error` (and AADSTS code) when this is an error reply.
    var note: String?
    /// An Entra-shaped JSON error (so `http200_errors` may turn its status into 200).
    var isEntraError = false
    /// Closing the connection without an answer (drop_connection / hang ended by reset).
    var drop = false
    /// Send the body one byte per second.
    var slowBytes = false
    /// Replace the body with this many bytes of padding JSON, streamed.
    var hugeBodyBytes: Int?

    static func json(_ value: JSON, status: Int = 200, cache: String = "no-store, no-cache") -> Reply {
        Reply(
            status: status,
            headers: [
                ("Content-Type", "application/json; charset=utf-8"),
                ("Cache-Control", cache),
                ("Pragma", "no-cache"),
                ("x-ms-request-id", Encoding.guid()),
            ],
            body: value.bytes)
    }

    static func html(_ text: String, status: Int = 200) -> Reply {
        Reply(
            status: status,
            headers: [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")],
            body: Array(text.utf8))
    }

    static func text(_ text: String, status: Int) -> Reply {
        Reply(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }

    static let dropped = Reply(status: 0, headers: [], body: [], drop: true)
}
