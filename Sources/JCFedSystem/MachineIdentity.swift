import JCFedCore

/// This machine's stable identity for spreading scheduled work over a fleet: systemd's
/// /etc/machine-id (or D-Bus's copy), read only when root owns it; "" when there is none.
/// Not a secret and not trusted for anything but spreading.
public enum MachineIdentity {
    static let paths = ["/etc/machine-id", "/var/lib/dbus/machine-id"]

    public static func read() -> String {
        for path in paths {
            if let id = read(path: path, owner: 0) { return id }
        }
        return ""
    }

    /// The identity in one file owned by `owner` (the tool's --root and --machine-id-file); nil
    /// when it is unreadable or empty. One token (32 hex digits): the first whitespace-separated
    /// word of the file.
    public static func read(path: String, owner: UInt32) -> String? {
        guard case .success(let text) = SecureFolder.readText(path, owner: owner, maxBytes: 256) else { return nil }
        let id = firstWord(text)
        return id.isEmpty ? nil : id
    }

    /// The first whitespace-separated word. An ASCII text is split on its bytes (HT, LF, VT, FF,
    /// CR and space: the ASCII characters that are whitespace), without the Unicode property
    /// tables that `Character.isWhitespace` reads; any other text by Characters.
    static func firstWord(_ text: String) -> String {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else {
            return text.split(whereSeparator: { $0.isWhitespace }).first.map(String.init) ?? ""
        }
        let bytes = Array(text.utf8)
        let isSpace: (UInt8) -> Bool = { ($0 >= 0x09 && $0 <= 0x0d) || $0 == 0x20 }
        var start = 0
        while start < bytes.count && isSpace(bytes[start]) { start += 1 }
        var end = start
        while end < bytes.count && !isSpace(bytes[end]) { end += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
