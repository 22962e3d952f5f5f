#if canImport(Glibc)
import JCFedAdmin
import Glibc
#endif

/// Where `idp add/update` take the client secret from. Never the command line: argv is
/// readable by every user through /proc.
enum ClientSecretSource {
    static let maxBytes = 4096

    /// Reads the secret from an admin's file. The file is opened without following a symbolic
    /// link and must be a regular file that others cannot read: a secret that was already
    /// world-readable must be rotated, not installed.
    static func fromFile(_ hostPath: String, shown: String? = nil) throws -> String {
        let path = shown ?? hostPath
        let fd = open(hostPath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else {
            let e = errno
            if e == ELOOP { throw ToolFailure.refused("--client-secret-file \(path) is a symbolic link (not followed)") }
            throw ToolFailure("--client-secret-file \(path): \(FileSystem.errorText(e))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ToolFailure("--client-secret-file \(path): \(FileSystem.errorText())") }
        let mode = UInt32(st.st_mode)
        guard mode & UInt32(S_IFMT) == UInt32(S_IFREG) else {
            throw ToolFailure("--client-secret-file \(path) is not a regular file")
        }
        if mode & 0o004 != 0 {
            throw ToolFailure.refused(
                "--client-secret-file \(path) is readable by everyone (mode 0\(String(mode & 0o777, radix: 8))): treat the secret as exposed, create a new one in the app registration, store it with chmod 600")
        }
        guard Int(st.st_size) <= maxBytes else { throw ToolFailure("--client-secret-file \(path) is larger than \(maxBytes) bytes") }
        var buffer = [UInt8](repeating: 0, count: maxBytes + 1)
        var count = 0
        while count < buffer.count {
            let n = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return read(fd, base + count, raw.count - count)
            }
            if n < 0 { if errno == EINTR { continue }; throw ToolFailure("--client-secret-file \(path): \(FileSystem.errorText())") }
            if n == 0 { break }
            count += n
        }
        let text = String(decoding: buffer.prefix(count), as: UTF8.self)
        return try check(firstLine(text), origin: "--client-secret-file \(path)")
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
