import Glibc
import JCFedCore

/// Finds and reads Project Wycheproof's JSON files at test time.
/// The folder is `$JCFED_WYCHEPROOF_DIR` when set (to run another Wycheproof checkout), else the
/// copy vendored in the repository, `Tests/vectors/wycheproof` (see the README there).
enum WycheproofFiles {
    static var directory: String? {
        if let env = getenv("JCFED_WYCHEPROOF_DIR") {
            let path = String(cString: env)
            return isDirectory(path) ? path : nil
        }
        // #filePath = <repo>/Tests/JCFedCryptoTests/Support/WycheproofFiles.swift
        var parts = "\(#filePath)".split(separator: "/").map(String.init)
        guard parts.count > 3 else { return nil }
        parts.removeLast(3)  // -> <repo>/Tests
        let vendored = "/" + (parts + ["vectors", "wycheproof"]).joined(separator: "/")
        return isDirectory(vendored) ? vendored : nil
    }

    /// JSON file names in the folder, sorted.
    static func names() -> [String] {
        guard let directory = directory, let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasSuffix("_test.json") { names.append(name) }
        }
        return names.sorted()
    }

    static func read(_ name: String) -> [UInt8]? {
        guard let directory = directory, let file = fopen(directory + "/" + name, "rb") else { return nil }
        defer { fclose(file) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n == 0 { break }
            out.append(contentsOf: buffer.prefix(n))
        }
        return out
    }

    private static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }
}

/// Lowercase or uppercase hex to bytes; nil on odd length or a non-hex character.
func hexBytes(_ text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    guard digits.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(digits.count / 2)
    var i = 0
    while i < digits.count {
        guard let hi = nibble(digits[i]), let lo = nibble(digits[i + 1]) else { return nil }
        out.append(hi << 4 | lo)
        i += 2
    }
    return out
}

private func nibble(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
    default: return nil
    }
}
