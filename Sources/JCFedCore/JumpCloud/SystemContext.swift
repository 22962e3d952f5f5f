/// The System Context API: the device authenticates with the JumpCloud agent's own key, no API
/// key needed, and may read (among a few other things) which users are bound to it:
/// `GET /api/v2/systems/{systemKey}/users`, answered with `[{"id":...,"type":"user",...}]`.
///
/// Each request is signed (draft-cavage HTTP signatures, as JumpCloud's own examples do):
///
///     signing string: "GET /api/v2/systems/<key>/users?limit=100&skip=0 HTTP/1.1\ndate: <Date>"
///     Date:           Sun, 06 Nov 1994 08:49:37 GMT
///     Authorization:  Signature keyId="system/<key>",headers="request-line date",
///                     algorithm="rsa-sha256",signature="<base64 RSA-SHA256>"
///
/// The request line is the one actually sent, query string included. The systemKey comes from
/// `<agent_dir>/jcagent.conf` (JSON) and the key from `<agent_dir>/client.key`.
public final class SystemContextClient {
    let http: JumpCloudHTTP
    let base: String
    public let systemKey: String
    let signer: RequestSigner
    public let pageSize: Int

    public init(http: JumpCloudHTTP, baseURL: String, systemKey: String, signer: RequestSigner, pageSize: Int = 100) {
        self.http = http
        self.base = JumpCloudHTTP.baseURL(baseURL)
        self.systemKey = systemKey
        self.signer = signer
        self.pageSize = max(1, min(pageSize, 100))
    }

    public static func signingString(method: String, target: String, date: String) -> String {
        "\(method) \(target) HTTP/1.1\ndate: \(date)"
    }

    public static func authorization(systemKey: String, signature: [UInt8]) -> String {
        "Signature keyId=\"system/\(systemKey)\",headers=\"request-line date\",algorithm=\"rsa-sha256\",signature=\"\(Base64.stdEncode(signature))\""
    }

    /// Headers of one signed GET of `target` (path and query) at `now`; nil when signing failed.
    public func signedHeaders(target: String, now: Int64) -> [(String, String)]? {
        let date = HTTPDate.format(now)
        let text = SystemContextClient.signingString(method: "GET", target: target, date: date)
        guard let signature = signer.signRSASHA256(Array(text.utf8)) else { return nil }
        return [("Accept", "application/json"), ("Date", date),
                ("Authorization", SystemContextClient.authorization(systemKey: systemKey, signature: signature))]
    }

    /// Ids of the users bound to this device.
    public func fetchBoundUserIDs() -> Result<[String], JumpCloudError> {
        let what = "GET /api/v2/systems/{systemKey}/users"
        var signingFailed = false
        let result = http.pagedArray(what: what, pageSize: pageSize) { skip in
            let target = "/api/v2/systems/\(self.systemKey)/users?limit=\(self.pageSize)&skip=\(skip)"
            let r = self.http.getJSONWithHeaders(self.base + target, what: "\(what) (skip \(skip))") {
                guard let h = self.signedHeaders(target: target, now: self.http.clock.wallSeconds()) else {
                    signingFailed = true
                    return [("Accept", "application/json")]
                }
                return h
            }
            if signingFailed {
                return .failure(JumpCloudError(.configuration, "signing with the agent key failed (is client.key an RSA private key?)"))
            }
            return r
        }
        let entries: [JSONValue]
        switch result {
        case .failure(let e):
            if e.code == .unauthorized {
                return .failure(JumpCloudError(.unauthorized, e.message + " (the device signature was not accepted: wrong agent key, clock off, or the system was removed from JumpCloud)"))
            }
            return .failure(e)
        case .success(let v): entries = v
        }
        var ids: [String] = []
        var seen = Set<String>()
        // A user bound directly and through groups appears once, with one path per binding.
        for entry in entries {
            guard let id = entry["id"]?.stringValue, let type = entry["type"]?.stringValue else {
                return .failure(JumpCloudError(.malformed, "\(what): an entry without id and type"))
            }
            guard type == "user" else { continue }
            guard DirectoryFile.isObjectID(id) else { return .failure(JumpCloudError(.malformed, "\(what): a user id is not a JumpCloud id")) }
            if seen.insert(id).inserted { ids.append(id) }
        }
        return .success(ids)
    }

    /// The systemKey from `<agent_dir>/jcagent.conf`; nil (no error) when the agent is not
    /// installed, i.e. the file does not exist.
    public static func readSystemKey(agentDir: String, storage: ModuleStorage) -> Result<String?, JumpCloudError> {
        let path = agentDir + "/jcagent.conf"
        let bytes: [UInt8]
        switch storage.read(path, maxBytes: 1 << 20) {
        case .failure(.missing): return .success(nil)
        case .failure(let f): return .failure(JumpCloudError(.configuration, "\(path) \(f.description)"))
        case .success(let b): bytes = b
        }
        guard case .success(let v) = JSONParser.parse(bytes, maxBytes: 1 << 20) else {
            return .failure(JumpCloudError(.configuration, "\(path) is not valid JSON"))
        }
        guard let key = v["systemKey"]?.stringValue, DirectoryFile.isObjectID(key) else {
            return .failure(JumpCloudError(.configuration, "\(path) has no usable systemKey (the agent has not registered yet?)"))
        }
        return .success(key)
    }

    public static func clientKeyPath(agentDir: String) -> String { agentDir + "/client.key" }
}
