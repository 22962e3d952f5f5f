import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// The libraries the module loads at a federated login (dlopen, by soname, as the dynamic loader
/// finds them on this host), probed the same way: libcurl.so.4 (needed; 7.85 and newer restrict
/// requests to https with CURLOPT_PROTOCOLS_STR, older ones with the CURLOPT_PROTOCOLS bitmask),
/// libcrypto.so.3 (needed: every symbol the signature verifier resolves), libqrencode.so.4
/// (optional: the QR code). `enable` refuses when a needed one is missing or too old (unless
/// --force), `status` shows them, `idp test` fails.
struct LibraryProbe {
    struct Library {
        var soname: String
        var required: Bool
        /// Version text when loaded ("7.88.1", "OpenSSL 3.0.17 1 Jul 2025", "4.1.1").
        var version: String?
        /// Why it cannot be used (nil when it can).
        var problem: String?
        /// What the module does with it (e.g. which protocol option libcurl gets).
        var note: String?
        var package: String

        var usable: Bool { problem == nil }
        /// One line for `idp test` and `enable`.
        var line: IdPChecks.Line {
            if let p = problem {
                return IdPChecks.Line(status: required ? .fail : .warn, text: "\(soname) \(p)",
                                      hint: required ? "install \(package); every federated login fails without it"
                                                     : "optional: sign-in shows no QR code (install \(package))")
            }
            return IdPChecks.Line(status: .ok, text: "\(soname) \(version ?? "")" + (note.map { " (\($0))" } ?? ""))
        }
        /// A few words for `status`.
        var summary: String {
            guard let p = problem else { return "\(soname) \(version ?? "")" }
            // The loader's message stays for idp test and enable; here the fact is enough.
            return "\(soname) " + (p.hasPrefix("is not installed") ? "is not installed" : p)
        }
    }

    /// The oldest libcurl jcfed is built and tested against (Ubuntu 22.04 LTS ships 7.81.0).
    static let minimumCurl: UInt32 = 0x07_51_00
    /// CURLOPT_PROTOCOLS_STR appeared in 7.85.0; older libcurl gets the CURLOPT_PROTOCOLS bitmask.
    static let protocolsStrCurl: UInt32 = 0x07_55_00

    static func run() -> [Library] { [curl(), crypto(), qrencode()] }

    /// The needed libraries that cannot be used.
    static func missingRequired(_ libraries: [Library]) -> [Library] { libraries.filter { $0.required && !$0.usable } }

    static func curl() -> Library {
        var lib = Library(soname: "libcurl.so.4", required: true, package: "libcurl4")
        guard let h = open(&lib) else { return lib }
        typealias VersionInfo = @convention(c) (Int32) -> UnsafeRawPointer?
        guard dlsym(h, "curl_easy_init") != nil, let sym = dlsym(h, "curl_version_info"),
              let info = unsafeBitCast(sym, to: VersionInfo.self)(0) else {
            lib.problem = "is not a usable libcurl (curl_easy_init or curl_version_info missing)"
            return lib
        }
        // curl_version_info_data (CURLVERSION_FIRST): int age; const char *version; unsigned version_num.
        let textPointer = info.load(fromByteOffset: MemoryLayout<UnsafeRawPointer>.stride, as: UnsafePointer<CChar>?.self)
        let number = info.load(fromByteOffset: 2 * MemoryLayout<UnsafeRawPointer>.stride, as: UInt32.self)
        let text = textPointer.map { String(cString: $0) } ?? LibraryProbe.dotted(number)
        lib.version = text
        if number < minimumCurl {
            lib.problem = "is \(text), too old (jcfed needs libcurl 7.81.0 or newer)"
        } else if number < protocolsStrCurl {
            lib.note = "older than 7.85: requests are restricted to https with the CURLOPT_PROTOCOLS bitmask"
        } else {
            lib.note = "requests are restricted to https with CURLOPT_PROTOCOLS_STR"
        }
        return lib
    }

    static func crypto() -> Library {
        var lib = Library(soname: "libcrypto.so.3", required: true, package: "libssl3")
        guard let h = open(&lib) else { return lib }
        // Every symbol the module's verifier resolves, loaded as the module loads it.
        guard jcfed_crypto_probe(lib.soname) == 1 else {
            lib.problem = "is not a usable libcrypto (functions jcfed needs are missing: not OpenSSL 3?)"
            return lib
        }
        typealias VersionText = @convention(c) (Int32) -> UnsafePointer<CChar>?
        if let sym = dlsym(h, "OpenSSL_version"), let text = unsafeBitCast(sym, to: VersionText.self)(0) {
            lib.version = String(cString: text)
        }
        return lib
    }

    static func qrencode() -> Library {
        var lib = Library(soname: "libqrencode.so.4", required: false, package: "libqrencode4")
        guard let h = open(&lib) else { return lib }
        guard dlsym(h, "QRcode_encodeString") != nil else {
            lib.problem = "is not a usable libqrencode (QRcode_encodeString missing)"
            return lib
        }
        typealias VersionText = @convention(c) () -> UnsafePointer<CChar>?
        if let sym = dlsym(h, "QRcode_APIVersionString"), let text = unsafeBitCast(sym, to: VersionText.self)() {
            lib.version = String(cString: text)
        }
        return lib
    }

    static func dotted(_ n: UInt32) -> String { "\(n >> 16).\((n >> 8) & 0xff).\(n & 0xff)" }

    /// dlopen by soname, as the module does; nil (and the problem set) when it cannot be loaded.
    private static func open(_ lib: inout Library) -> UnsafeMutableRawPointer? {
        if let h = dlopen(lib.soname, RTLD_NOW | RTLD_LOCAL) { return h }
        lib.problem = "is not installed or cannot be loaded (" + (dlerror().map { String(cString: $0) } ?? "not found") + ")"
        return nil
    }
}
