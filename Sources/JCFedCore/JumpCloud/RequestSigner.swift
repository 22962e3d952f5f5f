/// Signs System Context requests with the JumpCloud agent's device key (`/opt/jc/client.key`).
/// The arithmetic lives over OpenSSL outside the core; the core builds what is signed.
public protocol RequestSigner: AnyObject {
    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`; nil when signing failed.
    func signRSASHA256(_ message: [UInt8]) -> [UInt8]?
}
