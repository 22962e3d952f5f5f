import JCFedAdmin
import JCFedCore
import JCFedCrypto
import JCFedSystem

/// The core's RequestSigner over JCFedCrypto's RSASigner: System Context requests are signed
/// with the JumpCloud agent's device key (`<agent_dir>/client.key`) using RSASSA-PKCS1-v1_5 with
/// SHA-256, what `openssl dgst -sha256 -sign client.key` does in JumpCloud's own examples.
final class AgentKeySigner: RequestSigner {
    private let signer: RSASigner

    private init(_ signer: RSASigner) { self.signer = signer }

    static func load(path: String, owner: UInt32) -> Result<AgentKeySigner, JumpCloudError> {
        switch RSASigner.load(path: path, storage: SystemStorage(owner: owner)) {
        case .failure(let e): return .failure(JumpCloudError(.configuration, "\(path): \(e.description)"))
        case .success(let s): return .success(AgentKeySigner(s))
        }
    }

    func signRSASHA256(_ message: [UInt8]) -> [UInt8]? { signer.signSHA256(message) }
}
