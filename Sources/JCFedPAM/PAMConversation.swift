import CPAM
import JCFedCore
#if canImport(Glibc)
import Glibc
#endif

/// The PAM conversation as a Prompter, so the core never sees PAM. One message per call:
/// OpenSSH's keyboard-interactive and most hosts handle that best. Every message goes through
/// SafeText.multiline at this edge: our line breaks (the QR block, the instructions) stay, and
/// no control, escape, bidi or invisible character from an IdP or a claim reaches the terminal.
final class PAMConversation: Prompter {
    private let conv: pam_conv
    let isTerminal: Bool

    init(conv: pam_conv, isTerminal: Bool) {
        self.conv = conv
        self.isTerminal = isTerminal
    }

    func info(_ text: String) -> Bool { converse(style: PAM_TEXT_INFO, text: text).ok }
    func error(_ text: String) -> Bool { converse(style: PAM_ERROR_MSG, text: text).ok }

    func prompt(_ text: String, echo: Bool) -> String? {
        let r = converse(style: echo ? PAM_PROMPT_ECHO_ON : PAM_PROMPT_ECHO_OFF, text: text)
        guard r.ok else { return nil }
        // A host that answers a prompt with no response at all has cancelled.
        return r.answer
    }

    private func converse(style: Int32, text: String) -> (ok: Bool, answer: String?) {
        guard let fn = conv.conv else { return (false, nil) }
        return SafeText.multiline(text).withCString { cText -> (Bool, String?) in
            var message = pam_message(msg_style: style, msg: cText)
            return withUnsafePointer(to: &message) { msgPtr -> (Bool, String?) in
                var msgs: UnsafePointer<pam_message>? = msgPtr
                var response: UnsafeMutablePointer<pam_response>?
                let rc = withUnsafeMutablePointer(to: &msgs) { msgsPtr in
                    fn(1, msgsPtr, &response, conv.appdata_ptr)
                }
                var answer: String?
                if let resp = response {
                    if let r = resp.pointee.resp {
                        answer = String(cString: r)
                        // What the person typed is wiped before it is freed.
                        let len = strlen(r)
                        memset(r, 0, len)
                        free(r)
                    }
                    free(resp)
                }
                guard rc == PAM_SUCCESS else { return (false, nil) }
                let needsAnswer = style == PAM_PROMPT_ECHO_ON || style == PAM_PROMPT_ECHO_OFF
                if needsAnswer && answer == nil { return (false, nil) }
                return (true, answer)
            }
        }
    }
}
