/// What the person sees while signing in. OpenSSH's keyboard-interactive shows PAM info text
/// only together with the next prompt (OpenSSH bug 2876), so the instructions (and the QR code)
/// go out as one info message immediately followed by a prompt; the answer is only "I am done"
/// and is never looked at or logged.
enum DevicePresentation {
    static let firstPrompt = "Press Enter after you have signed in."
    static let againPrompt = "Not signed in yet. Press Enter to check again."

    /// The IdP's own message when it has one that names the code, else ours.
    static func instructions(_ a: DeviceAuthorization, withQR: Bool) -> String {
        if let m = a.message { return m }
        var s = "To sign in, open \(a.verificationURI) in a browser and enter the code \(a.userCode)"
        if withQR { s += ", or scan the QR code" }
        return s + "."
    }

    /// `on` always asks for a QR code, `auto` only on a terminal, `off` never.
    static func wantsQR(_ mode: QRMode, isTerminal: Bool) -> Bool {
        switch mode {
        case .on: return true
        case .auto: return isTerminal
        case .off: return false
        }
    }

    /// Where the person is signing in, before anything the IdP says: "Signing in to host01 as
    /// alice with Contoso Entra ID." A device code approved for the wrong machine is what
    /// device-code phishing relies on (RFC 8628 §5.4), so the machine and the account are named
    /// in our words, not the IdP's. Each part is cleaned for a terminal and capped.
    static func header(host: String, account: String, idpName: String) -> String {
        var s = "Signing in"
        if let h = SafeText.forPerson(host, max: 64) { s += " to " + h }
        if let a = SafeText.forPerson(account, max: 64) { s += " as " + a }
        if let n = SafeText.forPerson(idpName, max: 64) { s += " with " + n }
        return s + "."
    }

    /// The one info message: the header, the QR code, then the instructions next to the prompt.
    static func message(_ a: DeviceAuthorization, qr: String?, header: String? = nil) -> String {
        let qr = qr ?? ""
        var parts: [String] = []
        if let header = header { parts.append(header) }
        if !qr.isEmpty { parts.append(qr) }
        parts.append(instructions(a, withQR: !qr.isEmpty))
        return parts.joined(separator: "\n")
    }
}
