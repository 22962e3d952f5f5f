/// Decodes whole blocks of base64url faster than the portable decoder (Base64) can, with SIMD
/// the CPU has: JCFedSystem's SIMDBase64URLBlocks over CByteKernels (AVX2). The core calls it for
/// a token's segments and decodes whatever it leaves; a decoder that answers outside its contract
/// makes the segment invalid, never decoded otherwise. Verdicts are the portable decoder's
/// (Base64Tests and SIMDBase64URLBlocksTests compare them), so every test of the core holds
/// with or without one.
public protocol Base64URLBlockDecoder {
    /// Decodes the first n characters of `input` into the first n / 32 * 24 bytes of `output`,
    /// n a multiple of 32, n <= input.count and n / 32 * 24 <= output.count, and returns n: 0 when
    /// it decodes nothing, nil when one of those n characters is outside the base64url alphabet.
    func decodeBlocks(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int?
}
