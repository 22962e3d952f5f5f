// The emulator's own TLS: a fresh CA and a server certificate it signs, written to the state directory
// so tests (and the module's `ca_file`) can trust exactly this run's CA. `--cert-mode` makes the server
// certificate expired or issued for another host name, for the TLS rows of the fault matrix.
import Crypto
import Foundation
import SwiftASN1
import X509

enum CertMode: String, CaseIterable {
    case good
    case expired
    case wrongHost = "wrong-host"
}

struct ServerPKI {
    let caPEM: String
    let serverCertPEM: String
    let serverKeyPEM: String

    static func generate(mode: CertMode, now: Date = Date()) throws -> ServerPKI {
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName {
            OrganizationName("jcfed tests")
            CommonName("jcfed Entra emulator CA")
        }
        let caPublic = Certificate.PublicKey(caKey.publicKey)
        let caKeyID = SubjectKeyIdentifier(hash: caPublic)
        let ca = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: caPublic,
            notValidBefore: now - 3600,
            notValidAfter: now + 30 * 86400,
            issuer: caName,
            subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                caKeyID
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))

        let serverKey = P256.Signing.PrivateKey()
        let serverPublic = Certificate.PublicKey(serverKey.publicKey)
        let hostNames: [GeneralName]
        let commonName: String
        switch mode {
        case .good, .expired:
            commonName = "127.0.0.1"
            hostNames = [
                .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                .ipAddress(ASN1OctetString(contentBytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
                .dnsName("localhost"),
            ]
        case .wrongHost:
            commonName = "wrong-host.invalid"
            hostNames = [.dnsName("wrong-host.invalid")]
        }
        let validity: (Date, Date) =
            mode == .expired ? (now - 10 * 86400, now - 86400) : (now - 3600, now + 30 * 86400)
        let serverName = try DistinguishedName {
            OrganizationName("jcfed tests")
            CommonName(commonName)
        }
        let server = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: serverPublic,
            notValidBefore: validity.0,
            notValidAfter: validity.1,
            issuer: caName,
            subject: serverName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(hostNames)
                AuthorityKeyIdentifier(keyIdentifier: caKeyID.keyIdentifier)
                SubjectKeyIdentifier(hash: serverPublic)
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))

        return ServerPKI(
            caPEM: try ca.serializeAsPEM().pemString + "\n",
            serverCertPEM: try server.serializeAsPEM().pemString + "\n",
            serverKeyPEM: serverKey.pemRepresentation + "\n")
    }

    /// ca.pem, server.pem, server.key (0600). The port file is written later, last.
    func write(to directory: String) throws {
        try StateFiles.writeAtomically(caPEM, to: directory + "/ca.pem", mode: 0o644)
        try StateFiles.writeAtomically(serverCertPEM, to: directory + "/server.pem", mode: 0o644)
        try StateFiles.writeAtomically(serverKeyPEM, to: directory + "/server.key", mode: 0o600)
    }
}

enum StateFiles {
    /// Write to a temporary name in the same directory, then rename: readers never see a partial file.
    static func writeAtomically(_ text: String, to path: String, mode: mode_t) throws {
        let temp = path + ".tmp.\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw EmulatorError("cannot create \(temp): errno \(errno)") }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                close(fd)
                throw EmulatorError("cannot write \(temp): errno \(errno)")
            }
            offset += n
        }
        fsync(fd)
        close(fd)
        guard rename(temp, path) == 0 else { throw EmulatorError("cannot rename \(temp): errno \(errno)") }
    }
}
