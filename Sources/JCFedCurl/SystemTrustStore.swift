#if canImport(Glibc)
import Glibc
#endif

/// Whether the system trust store can be used as a hashed directory alone (OpenSSL's
/// `c_rehash` layout: `<8 hex digits>.<n>` links to each CA certificate), as on Debian and
/// Ubuntu, where update-ca-certificates builds it from the same certificates as the bundle.
///
/// Why it matters: without `ca_file`, libcurl's default is the bundle file
/// (/etc/ssl/certs/ca-certificates.crt, ~140 certificates), which OpenSSL 3.0 parses completely
/// on every login: about 30 ms of CPU, twice the rest of a login (bench/results.md, row 2).
/// Through the hashed directory OpenSSL reads only the certificates a chain needs. Where the
/// directory has no hash links (RHEL keeps only bundles there), libcurl's default stays.
enum SystemTrustStore {
    /// Checked once per process.
    static let isHashedDirectory = hasHashLink(in: CurlTransport.systemCAPath)

    static func hasHashLink(in directory: String, maxEntries: Int = 100_000) -> Bool {
        guard let dir = opendir(directory) else { return false }
        defer { closedir(dir) }
        var seen = 0
        while seen < maxEntries, let entry = readdir(dir) {
            seen += 1
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8] in
                Array(raw.prefix { $0 != 0 })
            }
            if isHashName(name) { return true }
        }
        return false
    }

    /// `[0-9a-f]{8}\.[0-9]+`: a certificate link (CRL links are `.r<n>`).
    static func isHashName(_ name: [UInt8]) -> Bool {
        guard name.count >= 10, name.count <= 14 else { return false }
        let hex = name.prefix(8)
        let dot = name.dropFirst(8).first
        let digits = name.dropFirst(9)
        return hex.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
            && dot == UInt8(ascii: ".")
            && !digits.isEmpty && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
