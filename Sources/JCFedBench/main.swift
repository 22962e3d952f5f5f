#if canImport(Glibc)
import Glibc
#endif
import JCFedCore
import JCFedCrypto
import JCFedSystem

// jcfed-bench: ID-token validation throughput in-process (bench/bench.py, row 4).
//
//   jcfed-bench JWKS_FILE TOKEN_FILE ISSUER TENANT CLIENT NOW SECONDS
//
// Parses the JWK Set once (as a login does from its cache), then runs TokenValidator.validate
// with OpenSSLVerifier on the token for SECONDS of CPU time, then the same validation with a
// verifier that does no arithmetic (the module's own cost), then the signature check alone (the
// verifier on the signing input), each for SECONDS. Prints one line of key=value pairs. Exits 1 if a
// validation fails: a benchmark of a token that does not validate measures nothing.

func fail(_ message: String) -> Never {
    fputs("jcfed-bench: \(message)\n", stderr)
    exit(2)
}

func readFile(_ path: String) -> [UInt8] {
    switch SecureFolder.read(path, owner: getuid()) {
    case .success(let file): return file.bytes
    case .failure(let failure): fail("\(path): \(failure)")
    }
}

/// CPU seconds of this process (user + system). `openssl speed` divides by CPU time too (user
/// time, unless -elapsed), so both rates are per CPU second and a busy machine skews neither.
func seconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Runs `body` in batches until `duration` CPU seconds have passed; returns (iterations, CPU seconds).
func run(for duration: Double, _ body: () -> Bool) -> (Int, Double) {
    let start = seconds()
    var count = 0
    var elapsed = 0.0
    repeat {
        for _ in 0..<64 {
            guard body() else { fail("validation failed at iteration \(count)") }
            count += 1
        }
        elapsed = seconds() - start
    } while elapsed < duration
    return (count, elapsed)
}

let args = Array(CommandLine.arguments.dropFirst())
guard args.count == 7, let now = Int64(args[5]), let duration = Double(args[6]) else {
    fail("usage: jcfed-bench JWKS_FILE TOKEN_FILE ISSUER TENANT CLIENT NOW SECONDS")
}
let keys: [JWK]
switch JWKSet.parse(readFile(args[0])) {
case .success(let set): keys = set.keys
case .failure(let error): fail("JWK Set: \(error)")
}
guard let token = String(validating: readFile(args[1]).filter { $0 != 0x0A }, as: UTF8.self) else {
    fail("token is not UTF-8")
}
let context = ValidationContext(issuer: args[2], tenantID: args[3], clientID: args[4], allowedAlgorithms: [.rs256],
                                keys: keys, now: now, clockSkew: 300)
let verifier = OpenSSLVerifier()
// The base64url SIMD the module's login passes (PAMSession's LoginEnvironment).
let blocks = SIMDBase64URLBlocks()

// The signature check alone, for the split between RSA and everything around it.
guard case .success(let jws) = CompactJWS.parse(token, maxBytes: context.maxTokenBytes, blocks: blocks),
      case .success(let key) = KeySelection.key(for: jws.header, algorithm: .rs256, keys: keys) else {
    fail("token or key selection failed")
}
guard case .success = TokenValidator.validate(token, context: context, verifier: verifier, blocks: blocks) else {
    fail("the token does not validate")
}
let (validations, validateSeconds) = run(for: duration) {
    if case .success = TokenValidator.validate(token, context: context, verifier: verifier, blocks: blocks) { return true }
    return false
}
// Everything a validation does but the signature arithmetic: the same validation with a
// verifier that accepts without computing (this benchmark's own; the module has none). What
// the module's own code costs per token, next to what OpenSSL costs.
final class AcceptingVerifier: SignatureVerifier {
    func verify(algorithm: JWSAlgorithm, key: JWK, signingInput: [UInt8], signature: [UInt8]) -> Bool { true }
    func verify(algorithm: JWSAlgorithm, key: JWK, signingInput: UnsafeBufferPointer<UInt8>,
                signature: UnsafeBufferPointer<UInt8>) -> Bool { true }
}
let accepting = AcceptingVerifier()
let (checks, checkSeconds) = run(for: duration) {
    if case .success = TokenValidator.validate(token, context: context, verifier: accepting, blocks: blocks) { return true }
    return false
}
// (Signing input and signature copied out of the token once, not per round.)
let signingInput = jws.signingInput
let signature = jws.signature
let (verifies, verifySeconds) = run(for: duration) {
    verifier.verify(algorithm: .rs256, key: key, signingInput: signingInput, signature: signature)
}
print("token_bytes=\(token.utf8.count) keys=\(keys.count) validations=\(validations) seconds=\(validateSeconds)"
      + " validate_per_second=\(Double(validations) / validateSeconds)"
      + " verify_per_second=\(Double(verifies) / verifySeconds)"
      + " own_ns_per_validation=\(checkSeconds / Double(checks) * 1e9)"
      + " simd_base64url=\(SIMDBase64URLBlocks.isAvailable ? "avx2" : "none")")
