// The world the simulated devices live in: Entra and JumpCloud answering as the emulators do
// (Tests/integration/jumpcloud_emulator.py, emulator/Sources/EntraEmulator), the incidents, the
// request counters. No jcfed code is called here (see Glue.swift).
import JCFedCore

/// SplitMix64: small, fast, reproducible from --seed.
struct SimRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in 0...n (n >= 0).
    mutating func upTo(_ n: Int64) -> Int64 {
        n <= 0 ? 0 : Int64(next() % UInt64(n + 1))
    }
    mutating func range(_ lo: Int64, _ hi: Int64) -> Int64 { lo + upTo(hi - lo) }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
}

enum SimEndpoint: Int, CaseIterable {
    case discovery, keys, devicecode, token, boundUsers, adminUsers, adminGroups, adminMembers
    var name: String {
        switch self {
        case .discovery: return "Entra openid-configuration"
        case .keys: return "Entra discovery/v2.0/keys"
        case .devicecode: return "Entra oauth2/v2.0/devicecode"
        case .token: return "Entra oauth2/v2.0/token"
        case .boundUsers: return "JumpCloud v2/systems/{id}/users"
        case .adminUsers: return "JumpCloud systemusers (admin host)"
        case .adminGroups: return "JumpCloud v2/usergroups (admin)"
        case .adminMembers: return "JumpCloud usergroups/members (admin)"
        }
    }
    var key: String {
        switch self {
        case .discovery: return "discovery"
        case .keys: return "keys"
        case .devicecode: return "devicecode"
        case .token: return "token"
        case .boundUsers: return "jumpcloud_system_users"
        case .adminUsers: return "jumpcloud_systemusers"
        case .adminGroups: return "jumpcloud_usergroups"
        case .adminMembers: return "jumpcloud_usergroup_members"
        }
    }
}

let msPerSecond: Int64 = 1000
let msPerHour: Int64 = 3_600_000
let msPerDay: Int64 = 86_400_000

/// The incidents, all on `day` (0-based): JumpCloud answers 429 for an hour, Entra's token
/// endpoint answers 429 for the 10 minutes after 9:00, and Entra rolls its signing key without
/// notice (the old key leaves the JWK Set at once).
struct Incidents {
    var day: Int
    var jumpCloudFrom: Int64 { Int64(day) * msPerDay + 10 * msPerHour }
    var jumpCloudUntil: Int64 { jumpCloudFrom + msPerHour }
    var tokenFrom: Int64 { Int64(day) * msPerDay + 9 * msPerHour }
    var tokenUntil: Int64 { tokenFrom + 10 * 60 * msPerSecond }
    var rotationAt: Int64 { Int64(day) * msPerDay + 13 * msPerHour }
    /// Retry-After JumpCloud and Entra send with their 429 (the emulators' retry_after fault).
    var jumpCloudRetryAfter = 60
    var tokenRetryAfter = 10

    func jumpCloudThrottled(_ t: Int64) -> Bool { t >= jumpCloudFrom && t < jumpCloudUntil }
    func tokenThrottled(_ t: Int64) -> Bool { t >= tokenFrom && t < tokenUntil }
    func signingKid(_ t: Int64) -> String { t >= rotationAt ? "sim-key-2" : "sim-key-1" }
}

/// Requests per endpoint per simulated second, and the 429s answered.
final class Counters {
    let seconds: Int
    var perSecond: [[Int32]]
    var throttled = [Int](repeating: 0, count: SimEndpoint.allCases.count)

    init(seconds: Int) {
        self.seconds = seconds
        perSecond = Array(repeating: [Int32](repeating: 0, count: seconds), count: SimEndpoint.allCases.count)
    }

    func record(_ e: SimEndpoint, at millis: Int64) {
        let s = Int(min(max(0, millis / msPerSecond), Int64(seconds - 1)))
        perSecond[e.rawValue][s] += 1
    }

    /// Total, peak per second and the second of the peak within [from, until) seconds.
    func window(_ e: SimEndpoint, from: Int, until: Int) -> (total: Int, peak: Int, peakAt: Int) {
        var total = 0, peak = 0, peakAt = from
        for s in max(0, from)..<min(until, seconds) {
            let n = Int(perSecond[e.rawValue][s])
            total += n
            if n > peak { peak = n; peakAt = s }
        }
        return (total, peak, peakAt)
    }
}

/// Entra as the emulator answers it (tenant endpoints, device code, token with pending until the
/// person approved, ID tokens signed with the key of the day), with the incidents.
final class EntraWorld {
    static let tenant = "9f3c2b1a-4d5e-4f60-8a7b-0c1d2e3f4a5b"
    static let client = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    static let host = "login.microsoftonline.com"
    static var authority: String { "https://\(host)/\(tenant)" }
    static var issuer: String { "https://\(host)/\(tenant)/v2.0" }

    let incidents: Incidents
    let counters: Counters
    let discoveryBody: [UInt8]
    private var jwksBodies: [String: [UInt8]] = [:]

    init(incidents: Incidents, counters: Counters) {
        self.incidents = incidents
        self.counters = counters
        let base = EntraWorld.authority
        discoveryBody = Array("""
            {"token_endpoint":"\(base)/oauth2/v2.0/token","token_endpoint_auth_methods_supported":["client_secret_post","private_key_jwt","client_secret_basic"],\
            "jwks_uri":"\(base)/discovery/v2.0/keys","response_modes_supported":["query","fragment","form_post"],\
            "subject_types_supported":["pairwise"],"id_token_signing_alg_values_supported":["RS256"],\
            "response_types_supported":["code","id_token","code id_token","id_token token"],"scopes_supported":["openid","profile","email","offline_access"],\
            "issuer":"\(EntraWorld.issuer)","request_uri_parameter_supported":false,\
            "userinfo_endpoint":"https://graph.microsoft.com/oidc/userinfo","authorization_endpoint":"\(base)/oauth2/v2.0/authorize",\
            "device_authorization_endpoint":"\(base)/oauth2/v2.0/devicecode","http_logout_supported":true,"frontchannel_logout_supported":true,\
            "end_session_endpoint":"\(base)/oauth2/v2.0/logout","claims_supported":["sub","iss","aud","exp","iat","nbf","name","oid","tid","ver","upn","email"],\
            "kerberos_endpoint":"\(base)/kerberos","tenant_region_scope":"EU","cloud_instance_name":"microsoftonline.com",\
            "cloud_graph_host_name":"graph.windows.net","msgraph_host":"graph.microsoft.com","rbac_url":"https://pas.windows.net"}
            """.utf8)
    }

    func jwks(kid: String) -> [UInt8] {
        if let b = jwksBodies[kid] { return b }
        var n: [UInt8] = [0xC3]
        for i in 1..<256 { n.append(UInt8(truncatingIfNeeded: i &* 37 &+ kid.utf8.count)) }
        let body = Array(#"{"keys":[{"kty":"RSA","use":"sig","kid":"\#(kid)","x5t":"\#(kid)","n":"\#(Glue.base64url(n))","e":"AQAB","issuer":"https://login.microsoftonline.com/{tenantid}/v2.0"}]}"#.utf8)
        jwksBodies[kid] = body
        return body
    }

    static func error(_ status: Int, _ error: String, _ code: Int, headers: [String: String] = [:]) -> HTTPResponse {
        let body = #"{"error":"\#(error)","error_description":"AADSTS\#(code): simulated\r\nTrace ID: 00000000-0000-0000-0000-000000000000\r\nCorrelation ID: 00000000-0000-0000-0000-000000000000\r\nTimestamp: 2026-01-05 09:00:00Z","error_codes":[\#(code)],"timestamp":"2026-01-05 09:00:00Z","trace_id":"00000000-0000-0000-0000-000000000000","correlation_id":"00000000-0000-0000-0000-000000000000"}"#
        return HTTPResponse(status: status, headers: headers.merging(["content-type": "application/json"]) { a, _ in a },
                            body: Array(body.utf8))
    }

    func idToken(now: Int64, kid: String, user: Int) -> String {
        let header = #"{"typ":"JWT","alg":"RS256","kid":"\#(kid)"}"#
        let claims = #"{"aud":"\#(EntraWorld.client)","iss":"\#(EntraWorld.issuer)","iat":\#(now),"nbf":\#(now),"exp":\#(now + 3600),"name":"User \#(user)","oid":"00000000-0000-4000-8000-\#(String(100_000_000_000 + user))","preferred_username":"user\#(user)@contoso.example","sub":"sub-\#(user)","tid":"\#(EntraWorld.tenant)","upn":"user\#(user)@contoso.example","ver":"2.0"}"#
        return Glue.base64url(Array(header.utf8)) + "." + Glue.base64url(Array(claims.utf8)) + "." + Glue.base64url([0x5a, 0x5a, 0x5a, 0x5a])
    }
}

/// The transport of one login: each exchange takes `rttMillis` on the login's clock.
final class EntraTransport: HTTPTransport {
    let world: EntraWorld
    let clock: SimClock
    let person: SimPerson
    let user: Int
    let rttMillis: Int64
    var tokenRequests = 0

    init(world: EntraWorld, clock: SimClock, person: SimPerson, user: Int, rttMillis: Int64) {
        self.world = world
        self.clock = clock
        self.person = person
        self.user = user
        self.rttMillis = rttMillis
    }

    func send(_ request: HTTPRequest, timeoutSeconds: Int) -> Result<HTTPResponse, TransportError> {
        let t = clock.millis
        clock.millis += rttMillis
        let url = request.url
        if url.hasSuffix("/.well-known/openid-configuration") {
            world.counters.record(.discovery, at: t)
            return .success(HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: world.discoveryBody))
        }
        if url.hasSuffix("/discovery/v2.0/keys") {
            world.counters.record(.keys, at: t)
            return .success(HTTPResponse(status: 200, headers: ["content-type": "application/json"],
                                         body: world.jwks(kid: world.incidents.signingKid(t))))
        }
        if url.hasSuffix("/oauth2/v2.0/devicecode") {
            world.counters.record(.devicecode, at: t)
            let body = #"{"user_code":"SIMCODE42","device_code":"SIM-DEVICE-CODE-\#(user)-\#(t)","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":5,"message":"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code SIMCODE42 to authenticate."}"#
            return .success(HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: Array(body.utf8)))
        }
        if url.hasSuffix("/oauth2/v2.0/token") {
            world.counters.record(.token, at: t)
            tokenRequests += 1
            if world.incidents.tokenThrottled(t) {
                world.counters.throttled[SimEndpoint.token.rawValue] += 1
                return .success(EntraWorld.error(429, "temporarily_unavailable", 90033,
                                                 headers: ["retry-after": String(world.incidents.tokenRetryAfter)]))
            }
            guard let approved = person.approvedAt, t >= approved else {
                return .success(EntraWorld.error(400, "authorization_pending", 70016))
            }
            let token = world.idToken(now: SimClock.epochWall + t / 1000, kid: world.incidents.signingKid(t), user: user)
            let body = #"{"token_type":"Bearer","scope":"openid profile email","expires_in":3599,"ext_expires_in":3599,"access_token":"SIM-ACCESS","id_token":"\#(token)"}"#
            return .success(HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: Array(body.utf8)))
        }
        return .success(HTTPResponse(status: 404, body: Array("not found".utf8)))
    }
}

/// JumpCloud's System Context API as jumpcloud_emulator.py answers it: the users bound to the
/// system (with x-total-count), 429 with Retry-After while the incident lasts.
final class JumpCloudTransport: HTTPTransport {
    let incidents: Incidents
    let counters: Counters
    let clock: SimClock
    let rttMillis: Int64
    static let boundBody = Array((
        "[" + (0..<3).map { i in
            #"{"id":"5f0c1a2b3c4d5e6f7a8b9c\#(String(format2: i))","type":"user","paths":[[{"attributes":null,"to":{"attributes":null,"id":"5f0c1a2b3c4d5e6f7a8b9c0\#(i)","type":"user"}}]]}"#
        }.joined(separator: ",") + "]").utf8)

    init(incidents: Incidents, counters: Counters, clock: SimClock, rttMillis: Int64) {
        self.incidents = incidents
        self.counters = counters
        self.clock = clock
        self.rttMillis = rttMillis
    }

    func send(_ request: HTTPRequest, timeoutSeconds: Int) -> Result<HTTPResponse, TransportError> {
        let t = clock.millis
        clock.millis += rttMillis
        counters.record(.boundUsers, at: t)
        if incidents.jumpCloudThrottled(t) {
            counters.throttled[SimEndpoint.boundUsers.rawValue] += 1
            return .success(HTTPResponse(status: 429, headers: ["retry-after": String(incidents.jumpCloudRetryAfter)],
                                         body: Array(#"{"message":"Too Many Requests"}"#.utf8)))
        }
        return .success(HTTPResponse(status: 200, headers: ["content-type": "application/json", "x-total-count": "3"],
                                     body: JumpCloudTransport.boundBody))
    }
}

/// The JumpCloud API as jumpcloud_emulator.py answers the org admin key: `users` users (v1, with
/// totalCount), `groups` user groups, each user in 3 of them (v2 lists with x-total-count).
final class AdminTransport: HTTPTransport {
    let incidents: Incidents
    let counters: Counters
    let clock: SimClock
    let users: Int
    let groups = 100
    init(incidents: Incidents, counters: Counters, clock: SimClock, users: Int) {
        self.incidents = incidents
        self.counters = counters
        self.clock = clock
        self.users = users
    }

    static func objectID(_ kind: Int, _ n: Int) -> String {
        let hex = String(n, radix: 16)
        return "6\(kind)" + String(repeating: "0", count: max(0, 22 - hex.count)) + hex
    }

    func send(_ request: HTTPRequest, timeoutSeconds: Int) -> Result<HTTPResponse, TransportError> {
        let t = clock.millis
        clock.millis += 300
        let url = request.url
        let endpoint: SimEndpoint = url.contains("/members") ? .adminMembers : url.contains("/usergroups") ? .adminGroups : .adminUsers
        counters.record(endpoint, at: t)
        if incidents.jumpCloudThrottled(t) {
            counters.throttled[endpoint.rawValue] += 1
            return .success(HTTPResponse(status: 429, headers: ["retry-after": String(incidents.jumpCloudRetryAfter)],
                                         body: Array(#"{"message":"Too Many Requests"}"#.utf8)))
        }
        func query(_ name: String) -> Int {
            guard let r = url.range(of: name + "=") else { return 0 }
            return Int(url[r.upperBound...].prefix { $0.isNumber }) ?? 0
        }
        let skip = query("skip"), limit = max(1, query("limit"))
        func json(_ body: String, total: Int? = nil) -> Result<HTTPResponse, TransportError> {
            var headers = ["content-type": "application/json"]
            if let n = total { headers["x-total-count"] = String(n) }
            return .success(HTTPResponse(status: 200, headers: headers, body: Array(body.utf8)))
        }
        switch endpoint {
        case .adminUsers:
            let page = (skip..<min(users, skip + limit)).map { i in
                #"{"_id":"\#(AdminTransport.objectID(1, i))","username":"user\#(i)","email":"user\#(i)@contoso.example","activated":true,"suspended":false,"account_locked":false,"state":"ACTIVATED","unix_uid":\#(10_000 + i),"unix_guid":\#(10_000 + i)}"#
            }
            return json(#"{"totalCount":\#(users),"results":["# + page.joined(separator: ",") + "]}")
        case .adminGroups:
            let page = (skip..<min(groups, skip + limit)).map { g in
                #"{"id":"\#(AdminTransport.objectID(2, g))","name":"group-\#(g)","type":"user_group"}"#
            }
            return json("[" + page.joined(separator: ",") + "]", total: groups)
        default:
            // Group g holds the users i with i % groups in {g, g+1, g+2} (mod groups): 3 groups per user.
            let g = Int(url.split(separator: "/").first { $0.count == 24 && $0.hasPrefix("62") }.map { String($0.dropFirst(2)) }
                .flatMap { Int($0, radix: 16) } ?? 0)
            let members = (0..<users).filter { i in (0..<3).contains(((g - i % groups) % groups + groups) % groups) }
            let page = members[min(skip, members.count)..<min(members.count, skip + limit)].map { i in
                #"{"from":{"id":"\#(AdminTransport.objectID(2, g))","type":"user_group"},"to":{"id":"\#(AdminTransport.objectID(1, i))","type":"user"},"attributes":null}"#
            }
            return json("[" + page.joined(separator: ",") + "]", total: members.count)
        }
    }
}

extension String {
    /// Two decimal digits, zero-padded.
    init(format2 n: Int) { self = n < 10 ? "0\(n)" : String(n % 100) }
}
