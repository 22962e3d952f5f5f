// Compiled into one module with Sources/JCFedCore (see run.sh), so no import is needed.

/// libFuzzer entry: one binary, the target chosen by JCFED_FUZZ_TARGET (see run.sh).
/// Each target feeds arbitrary bytes to one parser of the module; a crash, a hang or an
/// AddressSanitizer report is a bug, and its input becomes a regression test.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data = data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    FuzzTargets.run(FuzzTargets.selected, bytes)
    return 0
}
