#if canImport(Glibc)
import Glibc
#endif

/// The entry names of an open directory stream (without "." and ".."), in readdir order.
/// One reader for the pin store (which opens by descriptor, never following a link) and the
/// admin tool (which opens by path).
public enum DirectoryEntries {
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
