import JCFedAdmin
import JCFedCore
import JCFedSystem
import JCFedCurl

/// The non-interactive checks of `jcfed idp test` (also run by `jcfed enable`): each is one
/// line, `[ OK ] what`, `[WARN] what -> hint` or `[FAIL] what -> how to fix it`.
struct IdPChecks {
    struct Line {
        enum Status: String { case ok = "[ OK ]", warn = "[WARN]", fail = "[FAIL]" }
        var status: Status
        var text: String
        var hint: String?

        var rendered: String { status.rawValue + " " + text + (hint.map { " -> " + $0 } ?? "") }
    }

    let context: ToolContext
    let clock: Clock
    /// Makes the transport for the IdP settings (CurlTransport; tests of the tool use the emulator).
    let makeTransport: (IdPSettings) -> HTTPTransport

    init(context: ToolContext, clock: Clock = SystemClock(), makeTransport: ((IdPSettings) -> HTTPTransport)? = nil) {
        self.context = context
        self.clock = clock
        self.makeTransport = makeTransport ?? { idp in
            // ca_file names a file on the target system: read it from under --root.
            CurlTransport(caFile: idp.caFile.map { context.host($0) }, proxy: idp.proxy)
        }
    }

    /// A configuration about to be written (`idp update` while enabled), checked instead of the file.
    struct Candidate {
        var config: JCFedConfig
        var clientSecret: String?
        var warnings: [ConfigError] = []
    }

    /// Runs the checks, calling `emit` as each line is known; true when none failed.
    func run(candidate: Candidate? = nil, emit: (Line) -> Void) -> Bool {
        var failed = false
        func add(_ status: Line.Status, _ text: String, _ hint: String? = nil) {
            if status == .fail { failed = true }
            emit(Line(status: status, text: text, hint: hint))
        }

        let store = ConfigStore(context: context)
        let loaded: Candidate
        if let c = candidate {
            loaded = c
        } else {
            switch store.load() {
            case .failure(let e):
                add(.fail, "configuration: \(e.description)", "fix it (jcfed check-config shows the line), or run jcfed idp add")
                return false
            case .success(let l):
                loaded = Candidate(config: l.config, clientSecret: l.clientSecret, warnings: l.warnings)
            }
        }
        let unknown = UnknownKeys.errors(loaded.warnings)
        if !unknown.isEmpty {
            for e in unknown { add(.fail, "configuration: \(e)", "fix or remove the line (jcfed check-config)") }
            return false
        }
        add(.ok, "configuration \(store.hostPath) is valid" + (candidate == nil ? "" : " (with the change)"))
        if let problem = IdPChecks.secretProblem(loaded.clientSecret) {
            add(.fail, "client secret: \(problem)", "store it again: jcfed idp update --client-secret-file FILE")
            return false
        }
        let idp = loaded.config.idp
        let probe = IdPProbe(idp: idp, secret: loaded.clientSecret, transport: makeTransport(idp))

        // Discovery, over TLS verified against the system store (+ ca_file).
        let fetched: IdPProbe.Fetched
        switch probe.discovery() {
        case .failure(let f):
            add(.fail, "discovery \(probe.discoveryURL): \(IdPChecks.describe(f))", IdPChecks.hint(f, idp: idp))
            return false
        case .success(let d):
            fetched = d
            add(.ok, "discovery reachable over verified TLS: \(probe.discoveryURL)")
        }

        // What the module makes of the document: the tenant's issuer, https endpoints, an algorithm.
        let metadata: ProviderMetadata?
        switch fetched.metadata {
        case .failure(let e):
            metadata = nil
            add(.fail, e.description, IdPChecks.hint(e, idp: idp))
        case .success(let m):
            metadata = m
            add(.ok, "issuer matches: \(m.expectedTokenIssuer)")
        }

        // Signing keys.
        if let m = metadata {
            switch probe.keys(at: m.jwksURI) {
            case .failure(let f):
                add(.fail, "signing keys \(m.jwksURI): \(IdPChecks.describe(f))", IdPChecks.hint(f, idp: idp))
            case .success(let set):
                let rsa = set.keys.filter { if case .rsa = $0.material { return true } else { return false } }
                let skipped = set.skipped.map { "\($0.kid ?? "key #\($0.index)"): \($0.problem)" }
                if set.keys.isEmpty {
                    add(.fail, "signing keys: none usable in \(m.jwksURI)" + (skipped.isEmpty ? "" : " (" + skipped.joined(separator: "; ") + ")"),
                        "the provider must publish RSA keys of at least \(JWK.minRSABits) bits (or EC P-256) for signatures")
                } else {
                    let minBits = rsa.map { $0.bits }.min()
                    add(.ok, "signing keys fetched: \(set.keys.count) (\(rsa.count) RSA" + (minBits.map { ", >= \($0) bits" } ?? "") + ")")
                    if !skipped.isEmpty {
                        add(.warn, "ignored keys: " + skipped.joined(separator: "; "), "tokens signed with them would be refused")
                    }
                }
            }
        }

        // Clock: token lifetimes are checked against this machine's time.
        if let header = fetched.date, let serverTime = HTTPDate.parse(header.trimmingSpaces()) {
            let skew = clock.wallSeconds() - serverTime
            let magnitude = skew < 0 ? -skew : skew
            if magnitude > Int64(idp.clockSkew) {
                add(.warn, "clock differs from the IdP by \(skew) s (allowed skew \(idp.clockSkew) s)",
                    "fix the time (systemd-timesyncd, chrony): tokens would be refused as expired or not yet valid")
            } else {
                add(.ok, "clock within \(magnitude) s of the IdP (allowed skew \(idp.clockSkew) s)")
            }
        } else {
            let seen = fetched.date.map { " ('\($0.prefix(40))')" } ?? ""
            add(.warn, "the IdP sent no usable Date header\(seen); clock not checked", "make sure this machine's time is synchronised")
        }

        // App registration: public or confidential, told apart by a device-code request and one poll.
        if let m = metadata {
            checkAppRegistration(probe: probe, metadata: m, idp: idp, hasSecret: loaded.clientSecret != nil, add: add)
        }
        return !failed
    }

    private func checkAppRegistration(probe: IdPProbe, metadata: ProviderMetadata, idp: IdPSettings, hasSecret: Bool,
                                      add: (Line.Status, String, String?) -> Void) {
        let secretHint = "the app registration is confidential: store its secret (jcfed idp update --client-secret-file FILE), or allow public client flows in the app registration"
        let publicHint = "the app registration is a public client: do not send a secret (jcfed idp update --no-client-secret)"
        switch probe.appRegistration(metadata) {
        case .failure(let f):
            add(.fail, "device code flow: \(IdPChecks.describe(f))", IdPChecks.hint(f, idp: idp))
        case .success(.allowed):
            add(.ok, hasSecret ? "device code flow allowed (confidential client, secret accepted)"
                               : "device code flow allowed (public client, no secret needed)", nil)
        case .success(.unusable(let why)):
            add(.fail, why, "the provider does not complete the device authorization grant as RFC 8628 describes")
        case .success(.refused(let e, let during)):
            let line = "\(during): \(e.label)"
            switch e.aadsts {
            case 7000218?:
                add(.fail, line, hasSecret ? "the stored client secret was not accepted; create a new one and run jcfed idp update --client-secret-file FILE" : secretHint)
            case 7000215?:
                add(.fail, line, "the client secret is wrong or expired: create a new one and run jcfed idp update --client-secret-file FILE")
            case 700025?:
                add(.fail, line, publicHint)
            case 700016?:
                add(.fail, line, "no such application in this tenant: check --client-id and the tenant in --url")
            default:
                if e.error == "invalid_client" {
                    add(.fail, line, hasSecret ? publicHint + ", or check the secret" : secretHint)
                } else {
                    add(.fail, line, "see the AADSTS code in the provider's error reference")
                }
            }
        }
    }

    /// A secret the IdP can only refuse: one holding spaces (U+00A0 and other Unicode spaces,
    /// as copied from a web page) or control characters. Blaming the IdP ("wrong or expired")
    /// would send the admin to rotate a secret that is fine.
    static func secretProblem(_ secret: String?) -> String? {
        guard let s = secret else { return nil }
        if let bad = s.unicodeScalars.first(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7f }) {
            return "it contains U+\(String(bad.value, radix: 16, uppercase: true).leftPadded(to: 4)) (a space or control character, e.g. copied from a web page); no client secret has one"
        }
        return nil
    }

    static func hint(_ e: DiscoveryError, idp: IdPSettings) -> String {
        switch e {
        case .issuerMismatch:
            return idp.type == .azure ? "the url must be https://<login host>/<directory (tenant) id> of the tenant that signs users in"
                                      : "set --url to the issuer exactly as the provider states it"
        case .missing("device_authorization_endpoint"):
            return "the provider must support the OAuth 2.0 device authorization grant (RFC 8628)"
        case .tenantRequired: return "use the directory (tenant) id, a GUID, in --url"
        case .noUsableAlgorithm: return "the provider must sign ID tokens with RS256 (or another algorithm jcfed verifies)"
        default: return "check --url: it must point at the provider's OpenID Connect metadata"
        }
    }

    static func describe(_ f: IdPProbe.Failure) -> String {
        switch f {
        case .transport(let t, _): return t.description
        case .http(let status, _, let e): return e?.label ?? "HTTP \(status)"
        case .malformed(let s): return s
        }
    }

    static func hint(_ f: IdPProbe.Failure, idp: IdPSettings) -> String {
        switch f {
        case .transport(.tls, _):
            return "the certificate did not verify: check this machine's time, the CA store, or set --ca-file for a TLS-inspecting proxy"
        case .transport(.dns, _): return "the host name does not resolve: check DNS, --url, and the proxy (idp.proxy, https_proxy)"
        case .transport(.connect, _), .transport(.timeout, _):
            return "no answer: check network access to the IdP on port 443, a firewall, and the proxy"
        case .transport(.other(let what), _) where what.contains("libcurl could not be loaded"):
            return "libcurl is not installed (libcurl.so.4): apt-get install libcurl4 (Debian, Ubuntu) or dnf install libcurl (RHEL); no request was sent"
        case .transport: return "check network access to the IdP and the proxy"
        case .http(400, _, let e) where e?.aadsts == 90002:
            return "no such tenant: check the directory (tenant) id in --url"
        case .http(let s, _, _) where s >= 500: return "the IdP has a problem; try again later"
        case .http: return idp.type == .azure ? "check the directory (tenant) id in --url" : "check --url: it must be the issuer"
        case .malformed: return "the URL does not point at an OpenID Connect provider"
        }
    }
}
