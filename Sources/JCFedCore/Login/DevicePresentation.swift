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

    /// The one info message: the QR code first, then the instructions next to the prompt.
    static func message(_ a: DeviceAuthorization, qr: String?) -> String {
        let text = instructions(a, withQR: qr != nil)
        guard let qr = qr, !qr.isEmpty else { return text }
        return qr + "\n" + text
    }
}
