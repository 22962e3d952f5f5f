import CByteKernels
import JCFedCore

/// The core's Base64URLBlockDecoder over CByteKernels: whole 32-character blocks of a token's
/// base64url decoded with AVX2 where the CPU has it (about five times the portable decoder's
/// speed; bench/results.md, row 4), nothing where it does not.
public struct SIMDBase64URLBlocks: Base64URLBlockDecoder {
    public init() {}

    /// Whether this machine decodes with AVX2 (otherwise every call decodes nothing).
    public static var isAvailable: Bool { jcfed_base64url_blocks_available() == 1 }

    public func decodeBlocks(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        guard let source = input.baseAddress, let target = output.baseAddress else { return 0 }
        let decoded = jcfed_base64url_blocks(source, input.count, target, output.count)
        return decoded < 0 ? nil : Int(decoded)
    }
}
