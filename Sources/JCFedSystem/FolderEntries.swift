import Glibc

/// The entry names of an open folder stream (without "." and ".."), in readdir order. A
/// file-system folder, named so it is not confused with the JumpCloud directory (Directory/):
/// one reader for SecureFolder (opened by descriptor, never following a link) and the admin tool
/// (which opens by path).
public enum FolderEntries {
    public static func names(_ dir: OpaquePointer) -> [String] {
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
