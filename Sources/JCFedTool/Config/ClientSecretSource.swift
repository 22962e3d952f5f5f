#if canImport(Glibc)
import JCFedAdmin
import Glibc
#endif
import JCFedSystem

/// Where `idp add/update` take the client secret from. Never the command line: argv is
/// readable by every user through /proc.
enum ClientSecretSource {
    static let maxBytes = 4096

    /// Reads the secret from an admin's file, with SecureFolder (any owner: it is the admin's
    /// input, not a file the module reads). The file is opened without following a symbolic link
    /// and must be a regular file that others cannot read: a secret that was already
    /// world-readable must be rotated, not installed.
    static func fromFile(_ hostPath: String, shown: String? = nil) throws -> String {
        let path = shown ?? hostPath
        switch SecureFolder.read(hostPath, owner: nil, maxBytes: maxBytes, holdsSecret: true) {
        case .success(let file):
            return try check(firstLine(String(decoding: file.bytes, as: UTF8.self)), origin: "--client-secret-file \(path)")
        case .failure(.symlink):
            throw ToolFailure.refused("--client-secret-file \(path) is a symbolic link (not followed)")
        case .failure(.readableByOthers(let mode)):
            throw ToolFailure.refused(
                "--client-secret-file \(path) is readable by everyone (mode 0\(String(mode & 0o777, radix: 8))): treat the secret as exposed, create a new one in the app registration, store it with chmod 600")
        case .failure(.missing):
            throw ToolFailure("--client-secret-file \(path): \(FileSystem.errorText(ENOENT))")
        case .failure(.unreadable(let e)):
            throw ToolFailure("--client-secret-file \(path): \(FileSystem.errorText(e))")
        case .failure(let f):
            throw ToolFailure("--client-secret-file \(path) \(f)")
        }
    }

    /// Reads one line from standard input, without echo on a terminal.
    static func fromStandardInput() throws -> String {
        if Terminal.stdinIsTerminal { Terminal.write("Client secret (input hidden): ") }
        guard let line = Terminal.readLine(echo: false) else {
            throw ToolFailure("--client-secret-stdin: no secret on standard input")
        }
        return try check(line, origin: "--client-secret-stdin")
    }

    static func firstLine(_ text: String) -> String {
        text.splitLines().lines.first ?? ""
    }

    /// The secret as the module will read it back (first line, trimmed): it must survive that.
    /// Spaces around it are removed, Unicode ones too (a U+00A0 copied from a web page would
    /// otherwise be sent as part of the secret and the IdP would call it wrong or expired).
    static func check(_ raw: String, origin: String) throws -> String {
        var scalars = Substring(raw.trimmingSpaces()).unicodeScalars
        var removed: [Unicode.Scalar] = []
        while let f = scalars.first, f.properties.isWhitespace { removed.append(f); scalars.removeFirst() }
        while let l = scalars.last, l.properties.isWhitespace { removed.append(l); scalars.removeLast() }
        let secret = String(scalars)
        guard !secret.isEmpty else { throw ToolFailure("\(origin): the secret is empty") }
        guard secret.utf8.count <= 1024 else { throw ToolFailure("\(origin): the secret is longer than 1024 bytes") }
        if let bad = secret.unicodeScalars.first(where: { $0.value <= 0x20 || $0.value == 0x7f || $0.properties.isWhitespace }) {
            throw ToolFailure("\(origin): the secret contains \(describe(bad)) inside it; no client secret has one: copy it again from the app registration")
        }
        if let first = removed.first(where: { $0.value > 0x7f }) {
            Terminal.err("jcfed: note: removed \(describe(first)) around the secret (copied from a web page?); the secret itself is kept")
        }
        return secret
    }

    static func describe(_ u: Unicode.Scalar) -> String {
        let code = "U+" + String(u.value, radix: 16, uppercase: true).leftPadded(to: 4)
        if u.value == 0xA0 { return "a non-breaking space (\(code))" }
        if u.value < 0x20 || u.value == 0x7f { return "a control character (\(code))" }
        return "a space (\(code))"
    }
}
