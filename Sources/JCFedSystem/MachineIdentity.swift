import JCFedCore

/// This machine's stable identity for spreading scheduled work over a fleet: systemd's
/// /etc/machine-id (or D-Bus's copy), read only when root owns it; "" when there is none.
/// Not a secret and not trusted for anything but spreading.
public enum MachineIdentity {
    static let paths = ["/etc/machine-id", "/var/lib/dbus/machine-id"]

    public static func read() -> String {
        for path in paths {
            guard case .success(let text) = SecureFolder.readText(path, owner: 0, maxBytes: 256) else { continue }
            // One token (32 hex digits); the first whitespace-separated word of the file.
            let id = text.split(whereSeparator: { $0.isWhitespace }).first.map(String.init) ?? ""
            if !id.isEmpty { return id }
        }
        return ""
    }
}
