// All mutable emulator state behind one actor: codes, faults, keys, the request log.
import Foundation

struct RequestLogEntry {
    var tMs: Int
    var method: String
    var path: String
    var grantType: String?
    var clientID: String?
    /// The asked scope (devicecode) and how a client secret came (client_secret_post/_basic), never the secret.
    var scope: String? = nil
    var clientAuth: String? = nil
    var status: Int?
    var note: String?

    var json: JSON {
        [
            "t_ms": .int(tMs),
            "method": .string(method),
            "path": .string(path),
            "grant_type": grantType.map { .string($0) } ?? .null,
            "client_id": clientID.map { .string($0) } ?? .null,
            "status": status.map { .int($0) } ?? .null,
            "note": note.map { .string($0) } ?? .null,
            "scope": scope.map { .string($0) } ?? .null,
            "client_auth": clientAuth.map { .string($0) } ?? .null,
        ]
    }
}

actor EmulatorState {
    let fixture: Fixture
    private(set) var baseURL = "https://127.0.0.1:0"
    private(set) var keys: KeyRing
    private var codes: [DeviceCodeRecord] = []
    private var faults = FaultSet()
    private var faultRemaining: Int?
    private var slowDownRemaining = 0
    private var requests: [RequestLogEntry] = []
    /// Bumped by reset: hanging requests watch it to end.
    private(set) var generation = 0

    init(fixture: Fixture, keys: KeyRing) {
        self.fixture = fixture
        self.keys = keys
    }

    func setBaseURL(_ url: String) { baseURL = url }

    // MARK: request log

    func logRequest(_ entry: RequestLogEntry) -> Int {
        requests.append(entry)
        if requests.count > 100_000 { requests.removeFirst(requests.count - 100_000) }
        return requests.count - 1
    }

    func finishRequest(index: Int, status: Int, note: String?) {
        guard requests.indices.contains(index) else { return }
        requests[index].status = status
        requests[index].note = note
    }

    func requestLog() -> JSON { .array(requests.map(\.json)) }

    // MARK: faults

    func setFaults(_ set: FaultSet) {
        faults = set
        faultRemaining = set.times
        slowDownRemaining = set.slowDown ?? 0
    }

    func faultsJSON() -> JSON { faults.json(remaining: faultRemaining, slowDownRemaining: slowDownRemaining) }

    /// The fault set if it still applies to a request on `endpoint` (does not use it up).
    func activeFaults(for endpoint: Endpoint) -> FaultSet? {
        if let remaining = faultRemaining, remaining <= 0 { return nil }
        return faults.applies(to: endpoint) ? faults : nil
    }

    /// Transport faults for this request, using up one of `times` when there are any.
    func takeTransportFaults(for endpoint: Endpoint) -> FaultSet? {
        guard let f = activeFaults(for: endpoint), f.hasTransportFault else { return nil }
        consumeFault()
        return f
    }

    func consumeFault() {
        if let remaining = faultRemaining { faultRemaining = max(0, remaining - 1) }
    }

    func takeSlowDown() -> Bool {
        guard slowDownRemaining > 0 else { return false }
        slowDownRemaining -= 1
        return true
    }

    var intervalOverride: Int? { faults.interval }
    var expiresInOverride: Int? { faults.expiresIn }

    // MARK: device codes

    func addCode(_ record: DeviceCodeRecord) {
        codes.append(record)
        let now = Encoding.nowMillis()
        // Keep the list bounded: drop codes that expired over an hour ago.
        codes.removeAll { now - $0.expiresAtMs > 3_600_000 }
    }

    func code(device deviceCode: String) -> DeviceCodeRecord? {
        codes.first { $0.deviceCode == deviceCode }
    }

    func code(user userCode: String) -> DeviceCodeRecord? {
        let wanted = userCode.uppercased().filter { $0 != "-" && $0 != " " }
        return codes.first { $0.userCode == wanted }
    }

    /// The newest code still pending and not expired.
    func newestPendingCode() -> DeviceCodeRecord? {
        let now = Encoding.nowMillis()
        return codes.last { $0.status == .pending && !$0.isExpired(nowMs: now) }
    }

    func setStatus(userCode: String, _ status: DeviceCodeRecord.Status) {
        if let i = codes.firstIndex(where: { $0.userCode == userCode }) { codes[i].status = status }
    }

    /// Redeem an approved code exactly once; returns the approving user's upn.
    func redeem(deviceCode: String) -> String? {
        guard let i = codes.firstIndex(where: { $0.deviceCode == deviceCode }),
            case .approved(let upn) = codes[i].status
        else { return nil }
        codes[i].status = .redeemed(upn: upn)
        return upn
    }

    func codesJSON() -> JSON { .array(codes.map(\.json)) }

    // MARK: keys and reset

    func rotateKeys(keepPrevious: Bool) throws -> [String] {
        try keys.rotate(keepPrevious: keepPrevious)
        return keys.published.map(\.kid)
    }

    func reset() {
        codes.removeAll()
        requests.removeAll()
        faults = FaultSet()
        faultRemaining = nil
        slowDownRemaining = 0
        generation += 1
    }
}
