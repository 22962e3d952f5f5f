// jcfed-entra-emulator --state-dir DIR --fixture FILE [--port 0] [--host 127.0.0.1] [--cert-mode good]
//
// Generates a CA and a server certificate, writes DIR/ca.pem, DIR/server.pem, DIR/server.key, binds,
// then writes DIR/port (atomically, last: tests wait for it) and serves HTTPS until SIGTERM/SIGINT.
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import HummingbirdTLS
import NIOCore
import NIOSSL

extension CertMode: ExpressibleByArgument {}

@main
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jcfed-entra-emulator",
        abstract: "A local stand-in for Microsoft Entra ID's device-code sign-in, over HTTPS with its own CA.")

    @Option(name: .customLong("state-dir"), help: "Directory for ca.pem, server.pem, server.key and port.")
    var stateDir: String

    @Option(help: "Fixture JSON: tenants, apps, users.")
    var fixture: String

    @Option(help: "Port to bind (0 = any free port; the bound port is written to STATE_DIR/port).")
    var port: Int = 0

    @Option(help: "Address to bind; also the host name in every URL the emulator hands out.")
    var host: String = "127.0.0.1"

    @Option(name: .customLong("cert-mode"), help: "Server certificate: good, expired, or wrong-host.")
    var certMode: CertMode = .good

    func run() async throws {
        // Stop at once on SIGTERM/SIGINT: an emulator has nothing to flush, and a hanging request
        // (the `hang` fault) must not hold up a test's teardown.
        signal(SIGTERM) { _ in _exit(0) }
        signal(SIGINT) { _ in _exit(0) }

        let fixture = try Fixture.load(path: self.fixture)
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        unlink(stateDir + "/port")

        let pki = try ServerPKI.generate(mode: certMode)
        try pki.write(to: stateDir)
        let keys = try KeyRing.generate()
        let state = EmulatorState(fixture: fixture, keys: keys)

        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(pki.serverCertPEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(pki.serverKeyPEM.utf8), format: .pem)))

        let host = self.host
        let stateDir = self.stateDir
        let aliases = HostAliases()
        var logger = Logger(label: "jcfed-entra-emulator")
        logger.logLevel = .warning

        let app = Application(
            responder: EmulatorResponder(state: state, hostAliases: { await aliases.list }),
            server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                let urlHost = host.contains(":") ? "[\(host)]" : host
                await state.setBaseURL("https://\(urlHost):\(bound)")
                await aliases.set(["\(urlHost):\(bound)", "127.0.0.1:\(bound)", "localhost:\(bound)"])
                do {
                    try StateFiles.writeAtomically("\(bound)\n", to: stateDir + "/port", mode: 0o644)
                } catch {
                    FileHandle.standardError.write(Data("cannot write port file: \(error)\n".utf8))
                    _exit(1)
                }
                FileHandle.standardError.write(Data(
                    "jcfed-entra-emulator listening on https://\(urlHost):\(bound) (state \(stateDir), \(fixture.tenants.count) tenant(s))\n"
                        .utf8))
            },
            logger: logger)
        try await app.run()
    }
}

actor HostAliases {
    private(set) var list: [String] = []
    func set(_ values: [String]) {
        var seen = Set<String>()
        list = values.map { $0.lowercased() }.filter { seen.insert($0).inserted }
    }
}
