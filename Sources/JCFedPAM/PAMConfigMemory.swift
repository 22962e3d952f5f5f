import CPAM
import JCFedCore

/// ConfigMemory on the PAM handle: pam_set_data keeps the parsed jcfed.conf for the next stage
/// of the same transaction, and pam_end (or a later pam_set_data of the same name) calls the
/// cleanup, which releases it. Nothing outlives the handle.
final class PAMConfigMemory: ConfigMemory {
    /// Module data names share one namespace per handle; this one is ours alone.
    static let dataName = "pam_jcfed/parsed-config"

    /// The box handed to libpam: a class, so one retained reference crosses the C boundary.
    final class Box {
        let file: ParsedConfigFile
        init(_ file: ParsedConfigFile) { self.file = file }
    }

    let pamh: OpaquePointer

    init(pamh: OpaquePointer) {
        self.pamh = pamh
    }

    func recall(path: String) -> ParsedConfigFile? {
        var data: UnsafeRawPointer?
        let found = PAMConfigMemory.dataName.withCString { pam_get_data(pamh, $0, &data) }
        guard found == PAM_SUCCESS, let stored = data else { return nil }
        let file = Unmanaged<Box>.fromOpaque(stored).takeUnretainedValue().file
        return file.path == path ? file : nil
    }

    func remember(_ file: ParsedConfigFile) {
        let box = Unmanaged.passRetained(Box(file)).toOpaque()
        // libpam keeps a copy of the name.
        if PAMConfigMemory.dataName.withCString({ pam_set_data(pamh, $0, box, releaseParsedConfig) }) != PAM_SUCCESS {
            Unmanaged<Box>.fromOpaque(box).release()
        }
    }
}

/// pam_set_data's cleanup: the handle gives up its reference to the box.
private func releaseParsedConfig(_ pamh: OpaquePointer?, _ data: UnsafeMutableRawPointer?, _ status: Int32) {
    guard let data = data else { return }
    Unmanaged<PAMConfigMemory.Box>.fromOpaque(data).release()
}
