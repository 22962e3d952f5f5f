/// What the login flow needs from whoever talks to the person: the PAM conversation in the
/// module, a terminal in `jcfed idp test --user`. The core never sees PAM.
public protocol Prompter: AnyObject {
    /// Shows text; false when the conversation failed.
    func info(_ text: String) -> Bool
    /// Shows an error text; false when the conversation failed.
    func error(_ text: String) -> Bool
    /// Asks and waits for an answer; nil when the conversation failed or was cancelled.
    func prompt(_ text: String, echo: Bool) -> String?
    /// True when the other side is a terminal that can draw a QR code with Unicode blocks.
    var isTerminal: Bool { get }
}
