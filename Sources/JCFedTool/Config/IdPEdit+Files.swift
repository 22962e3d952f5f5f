import JCFedAdmin
import JCFedCore

/// The file side of an IdP edit: paths under --root, the CA file check, the writes.
extension IdPEdit {
    func apply(to original: INIDocument, context: ToolContext) throws -> Applied {
        try apply(to: original, host: context.host, checkCAFile: { try IdPEdit.checkCAFile($0, context: context) })
    }

    /// ca_file is a target path; it must exist under the root and hold PEM certificates.
    static func checkCAFile(_ path: String, context: ToolContext) throws {
        guard path.hasPrefix("/") else { throw ToolFailure("--ca-file: must be an absolute path (as the module will see it)") }
        let host = context.host(path)
        guard let info = FileSystem.info(host), info.isRegular else {
            throw ToolFailure("--ca-file: \(host) is not a regular file")
        }
        guard let text = FileSystem.readText(host, maxBytes: 1 << 20), text.contains("-----BEGIN CERTIFICATE-----") else {
            throw ToolFailure("--ca-file: \(host) holds no PEM certificate")
        }
    }

    /// Saves an applied edit: the secret first (so the config never names a secret file that
    /// is not there yet), then the configuration; then an unreferenced old secret is removed.
    static func save(_ applied: Applied, store: ConfigStore) throws {
        if let s = applied.secretToWrite {
            try FileSystem.writeAtomically(s.hostPath, text: s.secret + "\n", mode: 0o600, owner: store.context.writeOwner)
        }
        try store.write(applied.document)
        if let old = applied.secretToRemove, applied.secretToWrite?.hostPath != old {
            try FileSystem.remove(old)
        }
    }
}
