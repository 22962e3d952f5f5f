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
        let id = text.split(whereSeparator: { $0.isWhitespace }).first.map(String.init) ?? ""
        return id.isEmpty ? nil : id
    }
}
