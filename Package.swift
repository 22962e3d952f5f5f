// swift-tools-version:6.0
// jcfed: JumpCloud Federated Device Authentication for Linux.
//
// The layout is the architecture:
//   JCFedCore    pure Swift, the standard library only (no Foundation, no libc: Tests/repo/
//                check-core-imports.sh fails on an import of Glibc, Foundation, CPAM, CCurl or
//                COpenSSL): config, device flow, OIDC, token validation, identity mapping,
//                routing, and the formats of jcfed's files. It reaches them through ModuleStorage.
//   JCFedSystem  file and system I/O over Glibc (Linux only): SecureFolder, the one way jcfed opens,
//                checks, replaces and creates root-owned files; the clock, NSS, random seed; the
//                CPU's SIMD for base64url (over CByteKernels, C: Swift has no per-function CPU targets).
//   CPAM         the PAM shim, linked to libpam: the pam_sm_* entry points (the only symbols the module
//                exports) and typed wrappers for libpam's variadic calls.
//   CCurl/COpenSSL/CQREncode/CMath: C shims that dlopen libcurl, libcrypto, libqrencode
//                and libm on first use (a not-federated login never loads them). CByteKernels:
//                base64url blocks with AVX2, no library (JCFedSystem's SIMDBase64URLBlocks).
//   JCFedCurl    HTTP transport over libcurl.     JCFedCrypto  signature verifier over OpenSSL.
//   JCFedQR      QR code of the verification URL over libqrencode, drawn with Unicode half blocks.
//   JCFedPAM     PAM adapter: conversation, syslog, outcome -> PAM code, @_cdecl entries.
//   JCFedAdmin   the admin tool's pure editing logic: jcfed.conf as a lossless document (through
//                the core's INI tokenizer), IdP edits, PAM service lines and stacks, diffs.
//   JCFedTool    the `jcfed` admin tool on the same core.
// The Entra emulator is its own package (emulator/) so the module never pulls server code.
import PackageDescription

// The targets linked into pam_jcfed.so are compiled without the implicit imports of
// _StringProcessing and _Concurrency: one call into _StringProcessing (String.contains(String)
// is one) links it and the regex engine into the module, about 3,100 relocations and pages that
// every process loading the module pays (bench/results.md, row 1); and the module must not use
// Swift concurrency at all. Without the import such a call does not compile.
// -function-sections: each function in a section of its own, so that pam/pam_jcfed.order places
// functions, not whole files (swiftc otherwise puts a file's internal functions in one .text),
// and the linker drops the ones nothing calls: a not-federated run touches 20 code windows of
// 64 KB instead of 34 (bench/results.md, row 1).
// -disable-concrete-type-metadata-mangled-name-accessors: the code asks each type's metadata
// accessor for generic metadata, passing the conformances it knows, instead of handing the
// runtime a mangled name to demangle; for a generic type with requirements the runtime then also
// scanned every protocol-conformance record. A login did that 47 times, 0.9 M instructions
// (bench/results.md, round 8).
let moduleSettings: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-disable-implicit-string-processing-module-import",
                  "-Xfrontend", "-disable-implicit-concurrency-module-import",
                  "-Xfrontend", "-function-sections",
                  "-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"]),
]

let package = Package(
    name: "jcfed",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "pam_jcfed", type: .dynamic, targets: ["JCFedPAM"]),
        .executable(name: "jcfed", targets: ["JCFedTool"]),
        // ID-token validation throughput for `make bench` (bench/bench.py); not installed.
        .executable(name: "jcfed-bench", targets: ["JCFedBench"]),
        // N devices on a simulated clock for `make fleet-sim` (docs/fleet.md); not installed.
        .executable(name: "jcfed-fleet-sim", targets: ["JCFedFleetSim"]),
        // The smallest Swift PAM module, linked as pam_jcfed is, for `make bench` row 1's floor
        // (bench/floor/swift/SwiftFloor.swift); not installed.
        .library(name: "pam_swift_floor", type: .dynamic, targets: ["JCFedSwiftFloor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "JCFedCore", path: "Sources/JCFedCore", swiftSettings: moduleSettings),

        // The entry points call JCFedPAM's jcfed_pam_dispatch, resolved when the module is linked.
        .target(name: "CPAM", linkerSettings: [.linkedLibrary("pam")]),
        // libcurl is dlopen'ed on first use (see Sources/CCurl/include/jcfed_curl.h for why).
        // Its requests run in the scrubbed environment kept by COpenSSL (jcfed_environment.h).
        .target(name: "CCurl", dependencies: ["COpenSSL"], linkerSettings: [.linkedLibrary("dl"), .linkedLibrary("pthread")]),
        // libcrypto is dlopen'ed on first use too (see Sources/COpenSSL/include/jcfed_openssl.h).
        .target(name: "COpenSSL", linkerSettings: [.linkedLibrary("dl"), .linkedLibrary("pthread")]),
        // So is libqrencode (see Sources/CQREncode/include/jcfed_qrencode.h); all three through
        // COpenSSL's jcfed_loader.h.
        .target(name: "CQREncode", dependencies: ["COpenSSL"], linkerSettings: [.linkedLibrary("dl"), .linkedLibrary("pthread")]),
        // And libm: the static standard library's math functions, defined here and resolved in
        // libm.so.6 on first call (Sources/CMath/jcfed_libm.c), so loading the module loads no libm.
        .target(name: "CMath", dependencies: ["COpenSSL"], cSettings: [.unsafeFlags(["-fno-builtin"])],
                linkerSettings: [.linkedLibrary("dl"), .linkedLibrary("pthread")]),

        // AVX2 base64url for the token path (JCFedSystem's SIMDBase64URLBlocks): no library, no I/O.
        .target(name: "CByteKernels"),
        .target(name: "JCFedSystem", dependencies: ["JCFedCore", "CByteKernels"], swiftSettings: moduleSettings),
        .target(name: "JCFedCurl", dependencies: ["JCFedCore", "CCurl"], swiftSettings: moduleSettings),
        .target(name: "JCFedCrypto", dependencies: ["JCFedCore", "COpenSSL"], swiftSettings: moduleSettings),
        .target(name: "JCFedQR", dependencies: ["JCFedCore", "CQREncode"], swiftSettings: moduleSettings),
        .target(name: "JCFedPAM", dependencies: ["JCFedCore", "JCFedSystem", "JCFedCurl", "JCFedCrypto", "JCFedQR", "CPAM", "CMath"],
                swiftSettings: moduleSettings),

        .target(name: "JCFedAdmin", dependencies: ["JCFedCore"]),
        .executableTarget(
            name: "JCFedTool",
            dependencies: [
                "JCFedCore", "JCFedAdmin", "JCFedSystem", "JCFedCurl", "JCFedCrypto", "JCFedQR",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .executableTarget(name: "JCFedBench", dependencies: ["JCFedCore", "JCFedSystem", "JCFedCrypto"]),
        .executableTarget(name: "JCFedFleetSim", dependencies: ["JCFedCore", "JCFedSystem"]),
        .target(name: "JCFedSwiftFloor", dependencies: ["CPAM", "CMath"], path: "bench/floor/swift",
                swiftSettings: moduleSettings),

        // The unit tests' kit: one fake per seam, one temporary folder, one tenant and client id.
        .target(name: "JCFedTestKit", dependencies: ["JCFedCore"], path: "Tests/JCFedTestKit"),
        // The core's stage tests run on an in-memory ModuleStorage; SecureFolder's tests (real
        // folders) and the loaders' file-rule tests live here too, over JCFedSystem.
        .testTarget(name: "JCFedCoreTests", dependencies: ["JCFedCore", "JCFedSystem", "JCFedTestKit"]),
        .testTarget(name: "JCFedAdminTests", dependencies: ["JCFedAdmin", "JCFedCore"]),
        // The tests make keys and sign with OpenSSL directly, so they link libcrypto themselves.
        .testTarget(name: "JCFedCryptoTests", dependencies: ["JCFedCore", "JCFedSystem", "JCFedCrypto", "COpenSSL", "JCFedTestKit"],
                    linkerSettings: [.linkedLibrary("crypto")]),
    ],
    swiftLanguageModes: [.v5]
)
