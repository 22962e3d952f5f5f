// jcfed-fleet-sim: N devices on a simulated clock, running jcfed's real scheduling, retry, cache
// and device-flow code against simulated Entra and JumpCloud (Model.swift), through a normal
// working day and a day of incidents. `make fleet-sim` (100,000 devices), `make fleet-sim-quick`
// (1,000); docs/fleet.md has the numbers and the load model.
//
//   jcfed-fleet-sim [--devices N] [--days D] [--seed S] [--jobs J] [--json]
//
// Load model: every day is a working day with 3 federated logins per device, 30 % of them in the
// 15 minutes after 9:00 and the rest spread over 9:15-17:00; the person approves the code in a
// browser 15-45 s after it is shown and presses Enter between 10 s before and 5 s after that.
// Every device runs the packaged timer (OnCalendar=daily, RandomizedDelaySec=1d,
// FixedRandomDelay=yes): `jcfed directory sync --scheduled` once a day at a time fixed by its
// machine id. Caches start as a running fleet leaves them (discovery and keys fetched at a login
// the day before); the incidents are on the last day, the day before is the typical day.
// The devices are split over J threads (default 2), each with its own copy of the world.
import Foundation
import JCFedCore

struct Options {
    var devices = 100_000
    var days = 2
    var seed: UInt64 = 13
    var json = false
    var users = 20_000
    var jobs = 2

    static func parse(_ args: [String]) -> Options? {
        var o = Options()
        var i = 0
        while i < args.count {
            let a = args[i]
            func value() -> String? { i + 1 < args.count ? args[i + 1] : nil }
            switch a {
            case "--devices": guard let v = value().flatMap({ Int($0) }), v > 0, v <= 1_000_000 else { return nil }; o.devices = v; i += 1
            case "--days": guard let v = value().flatMap({ Int($0) }), (2...14).contains(v) else { return nil }; o.days = v; i += 1
            case "--seed": guard let v = value().flatMap({ UInt64($0) }) else { return nil }; o.seed = v; i += 1
            case "--users": guard let v = value().flatMap({ Int($0) }), v > 0 else { return nil }; o.users = v; i += 1
            case "--jobs": guard let v = value().flatMap({ Int($0) }), (1...16).contains(v) else { return nil }; o.jobs = v; i += 1
            case "--quick": o.devices = 1_000
            case "--json": o.json = true
            default: return nil
            }
            i += 1
        }
        return o
    }
}

guard let parsedOptions = Options.parse(Array(CommandLine.arguments.dropFirst())) else {
    FileHandle.standardError.write(Data("usage: jcfed-fleet-sim [--devices N (1-1000000)] [--quick] [--days D (2-14)] [--seed S] [--users U] [--jobs J (1-16)] [--json]\n".utf8))
    exit(2)
}

let options = parsedOptions

final class RandomBox {
    var r: SimRandom
    init(seed: UInt64) { r = SimRandom(seed: seed) }
}

let started = Date()
let rng = RandomBox(seed: options.seed)
let incidents = Incidents(day: options.days - 1)
let owner = UInt32(getuid())

// Each device's discovery and keys cache is a real MetadataCache directory (tmpfs when there is one).
let shm = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
let root = shm + "/jcfed-fleet-sim-\(getpid())"
func removeRoot() { try? FileManager.default.removeItem(atPath: root) }
do {
    try FileManager.default.createDirectory(atPath: root + "/devices", withIntermediateDirectories: true,
                                            attributes: [.posixPermissions: 0o700])
} catch {
    FileHandle.standardError.write(Data("jcfed-fleet-sim: cannot create \(root): \(error)\n".utf8))
    exit(1)
}
let configPath = root + "/jcfed.conf"
FileManager.default.createFile(atPath: configPath, contents: Data(Glue.configText(
    authority: EntraWorld.authority, clientID: EntraWorld.client, cacheDir: root + "/devices/0").utf8),
    attributes: [.posixPermissions: 0o600])
guard let loadedConfig = Glue.loadConfig(path: configPath, owner: owner) else {
    FileHandle.standardError.write(Data("jcfed-fleet-sim: the simulated jcfed.conf does not load\n".utf8))
    removeRoot()
    exit(1)
}
let loaded = loadedConfig

// Devices: a random machine id each; the timer's fixed delay derives from it (systemd hashes the
// machine id and the unit name: uniform over the day).
var machineIDs: [String] = []
var timerOffsets: [Int64] = []
var prewarmAges: [Int64] = []
machineIDs.reserveCapacity(options.devices)
for _ in 0..<options.devices {
    let id = String(format: "%016llx%016llx", rng.r.next(), rng.r.next())
    machineIDs.append(id)
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in Array(("jcfed-directory-sync.timer\n" + id).utf8) { h ^= UInt64(b); h = h &* 0x0000_0100_0000_01b3 }
    timerOffsets.append(Int64(h % UInt64(msPerDay)))
    // Its last fetch: at a login the day before (the same 9:00-17:00 model as below).
    let fetchedAt = rng.r.chance(0.30) ? 9 * 3600 + rng.r.upTo(15 * 60 - 1) : 9 * 3600 + 15 * 60 + rng.r.upTo(7 * 3600 + 45 * 60 - 1)
    prewarmAges.append(86_400 - fetchedAt)
}

/// The admin host's timer: 10:20, inside the JumpCloud incident, so the sim shows what the
/// org-wide sync does under a 429 (it gives up after 2 and keeps yesterday's file).
let adminOffset: Int64 = 10 * msPerHour + 20 * 60 * 1000

struct DayStats {
    var outcomes: [String: Int] = [:]
    var logins = 0
    var tokenRequests = 0
    var loginsInTokenIncident = 0
    var tokenRequestsInTokenIncident = 0
    var syncs = 0
    var syncFailures = 0
    var syncsInJumpCloudIncident = 0
    var prewarmFailures = 0
    var adminSyncFailures = 0

    mutating func add(_ o: DayStats) {
        for (k, v) in o.outcomes { outcomes[k, default: 0] += v }
        logins += o.logins
        tokenRequests += o.tokenRequests
        loginsInTokenIncident += o.loginsInTokenIncident
        tokenRequestsInTokenIncident += o.tokenRequestsInTokenIncident
        syncs += o.syncs
        syncFailures += o.syncFailures
        syncsInJumpCloudIncident += o.syncsInJumpCloudIncident
        prewarmFailures += o.prewarmFailures
        adminSyncFailures += o.adminSyncFailures
    }
}

/// One shard of the fleet (devices d with d % jobs == shard), with its own world and counters:
/// devices do not interact except through the IdPs, whose answers depend only on the time.
final class Shard {
    let index: Int
    let counters: Counters
    var stats: [DayStats]
    init(index: Int) {
        self.index = index
        counters = Counters(seconds: options.days * 86_400 + 7_200)
        stats = [DayStats](repeating: DayStats(), count: options.days)
    }

    func run() {
        var rng = SimRandom(seed: options.seed &+ 0x1000 &* UInt64(index + 1))
        let entra = EntraWorld(incidents: incidents, counters: counters)
        let devices = Array(stride(from: index, to: options.devices, by: options.jobs))
        let discoveryURL = Glue.discoveryURL(loaded)
        // Caches as a fleet that has been running for a while left them.
        for d in devices where !Glue.prewarm(cacheDir: root + "/devices/\(d)", owner: owner, machineID: machineIDs[d],
                                             discoveryURL: discoveryURL, discovery: entra.discoveryBody,
                                             keysURL: EntraWorld.authority + "/discovery/v2.0/keys",
                                             keys: entra.jwks(kid: incidents.signingKid(0)),
                                             fetchedAtWall: SimClock.epochWall - prewarmAges[d]) {
            stats[0].prewarmFailures += 1
        }
        // Logins, in time order (a device's logins then see its cache as the one before left it).
        struct LoginEvent { var at: Int64; var device: Int32 }
        var logins: [LoginEvent] = []
        logins.reserveCapacity(devices.count * 3 * options.days)
        for day in 0..<options.days {
            let base = Int64(day) * msPerDay
            for d in devices {
                for _ in 0..<3 {
                    let at = rng.chance(0.30)
                        ? base + 9 * msPerHour + rng.upTo(15 * 60 * 1000 - 1)
                        : base + 9 * msPerHour + 15 * 60 * 1000 + rng.upTo(7 * msPerHour + 45 * 60 * 1000 - 1)
                    logins.append(LoginEvent(at: at, device: Int32(d)))
                }
            }
        }
        logins.sort { $0.at < $1.at }
        for event in logins {
            let day = Int(event.at / msPerDay)
            let d = Int(event.device)
            let clock = SimClock(millis: event.at)
            let person = SimPerson(clock: clock, approveAfterMillis: rng.range(15_000, 45_000),
                                   enterOffsetMillis: rng.range(-10_000, 5_000), againMillis: rng.range(5_000, 15_000))
            let transport = EntraTransport(world: entra, clock: clock, person: person, user: d % options.users, rttMillis: 150)
            let seed = rng.next()
            var loginRandom = SimRandom(seed: seed)
            let result = Glue.login(loaded: loaded, cacheDir: root + "/devices/\(d)", owner: owner, machineID: machineIDs[d],
                                    clock: clock, person: person, transport: transport, random: { loginRandom.next() })
            stats[day].logins += 1
            stats[day].outcomes[result.reason, default: 0] += 1
            stats[day].tokenRequests += transport.tokenRequests
            // Logins that were polling while the token endpoint was throttled.
            if day == incidents.day && event.at < incidents.tokenUntil && result.endMillis > incidents.tokenFrom {
                stats[day].loginsInTokenIncident += 1
                stats[day].tokenRequestsInTokenIncident += transport.tokenRequests
            }
        }
        for day in 0..<options.days {
            for d in devices {
                let at = Int64(day) * msPerDay + timerOffsets[d]
                let clock = SimClock(millis: at)
                let transport = JumpCloudTransport(incidents: incidents, counters: counters, clock: clock, rttMillis: 200)
                let seed = rng.next()
                var syncRandom = SimRandom(seed: seed)
                let result = Glue.scheduledSync(systemKey: String(machineIDs[d].prefix(24)), clock: clock, transport: transport,
                                                random: { n in syncRandom.upTo(n) })
                stats[day].syncs += 1
                if !result.ok { stats[day].syncFailures += 1 }
                if incidents.jumpCloudThrottled(at) { stats[day].syncsInJumpCloudIncident += 1 }
            }
        }
        // The org-wide sync: one admin host (shard 0), its own timer at a fixed time of day.
        if index == 0 {
            for day in 0..<options.days {
                let clock = SimClock(millis: Int64(day) * msPerDay + adminOffset)
                let seed = rng.next()
                var adminRandom = SimRandom(seed: seed)
                let result = Glue.adminSync(clock: clock, transport: AdminTransport(incidents: incidents, counters: counters,
                                                                                  clock: clock, users: options.users),
                                            random: { n in adminRandom.upTo(n) })
                if !result.ok || result.users != options.users { stats[day].adminSyncFailures += 1 }
            }
        }
    }
}

let shards = (0..<options.jobs).map { Shard(index: $0) }
DispatchQueue.concurrentPerform(iterations: shards.count) { shards[$0].run() }
var stats = [DayStats](repeating: DayStats(), count: options.days)
for shard in shards { for day in 0..<options.days { stats[day].add(shard.stats[day]) } }
let counters = Counters(seconds: options.days * 86_400 + 7_200)
for shard in shards {
    for e in SimEndpoint.allCases {
        counters.throttled[e.rawValue] += shard.counters.throttled[e.rawValue]
        for s in 0..<counters.seconds { counters.perSecond[e.rawValue][s] += shard.counters.perSecond[e.rawValue][s] }
    }
}
if stats[0].prewarmFailures > 0 {
    FileHandle.standardError.write(Data("jcfed-fleet-sim: \(stats[0].prewarmFailures) caches could not be prepared\n".utf8))
}

// MARK: report

func clockTime(_ second: Int) -> String {
    let s = second % 86_400
    return String(format: "day %d %02d:%02d:%02d", second / 86_400, s / 3600, (s / 60) % 60, s % 60)
}

let elapsed = Date().timeIntervalSince(started)
let typicalDay = options.days - 2
let incidentDay = options.days - 1

func dayRows(_ day: Int) -> [(SimEndpoint, total: Int, peak: Int, peakAt: Int)] {
    SimEndpoint.allCases.map { e in
        let w = counters.window(e, from: day * 86_400, until: (day + 1) * 86_400)
        return (e, w.total, w.peak, w.peakAt)
    }
}

let jcIncident = counters.window(.boundUsers, from: Int(incidents.jumpCloudFrom / 1000), until: Int(incidents.jumpCloudUntil / 1000))
let jcAfter = counters.window(.boundUsers, from: Int(incidents.jumpCloudUntil / 1000), until: Int(incidents.jumpCloudUntil / 1000) + 3600)
let tokenWindow = counters.window(.token, from: Int(incidents.tokenFrom / 1000), until: Int(incidents.tokenUntil / 1000))
let keysAfterRotation = counters.window(.keys, from: Int(incidents.rotationAt / 1000), until: (incidentDay + 1) * 86_400)

if options.json {
    func dayJSON(_ day: Int) -> String {
        let rows = dayRows(day).map { r in
            #""\#(r.0.key)":{"total":\#(r.total),"per_device":\#(Double(r.total) / Double(options.devices)),"peak_per_second":\#(r.peak),"peak_at":\#(r.peakAt)}"#
        }
        let s = stats[day]
        let outcomes = s.outcomes.sorted { $0.key < $1.key }.map { #""\#($0.key)":\#($0.value)"# }.joined(separator: ",")
        return #"{"endpoints":{\#(rows.joined(separator: ","))},"logins":\#(s.logins),"token_requests":\#(s.tokenRequests),"outcomes":{\#(outcomes)},"syncs":\#(s.syncs),"sync_failures":\#(s.syncFailures),"logins_in_token_incident":\#(s.loginsInTokenIncident),"token_requests_in_token_incident":\#(s.tokenRequestsInTokenIncident),"syncs_in_jumpcloud_incident":\#(s.syncsInJumpCloudIncident),"admin_sync_failures":\#(s.adminSyncFailures)}"#
    }
    let days = (0..<options.days).map(dayJSON).joined(separator: ",")
    print(#"{"devices":\#(options.devices),"days":[\#(days)],"typical_day":\#(typicalDay),"incident_day":\#(incidentDay),"jumpcloud_incident":{"requests":\#(jcIncident.total),"peak_per_second":\#(jcIncident.peak),"throttled":\#(counters.throttled[SimEndpoint.boundUsers.rawValue])},"jumpcloud_hour_after":{"requests":\#(jcAfter.total),"peak_per_second":\#(jcAfter.peak)},"token_incident":{"requests":\#(tokenWindow.total),"peak_per_second":\#(tokenWindow.peak),"throttled":\#(counters.throttled[SimEndpoint.token.rawValue])},"keys_after_rotation":\#(keysAfterRotation.total),"elapsed_seconds":\#(Int(elapsed))}"#)
} else {
    print("jcfed-fleet-sim: \(options.devices) devices, \(options.users)-user org, \(options.days) simulated days (seed \(options.seed)), \(Int(elapsed)) s")
    for (title, day) in [("typical working day (day \(typicalDay))", typicalDay), ("incident day (day \(incidentDay))", incidentDay)] {
        print("")
        print("\(title): requests per endpoint")
        print("  endpoint                           total   per device/day   peak req/s   peak at")
        for r in dayRows(day) {
            let perDevice = r.0.rawValue >= SimEndpoint.adminUsers.rawValue
                ? "    (one host)" : String(format: "%14.2f", Double(r.total) / Double(options.devices))
            let line = r.0.name.padding(toLength: 34, withPad: " ", startingAt: 0)
                + String(format: "%8d   %@   %10d   %@", r.total, perDevice, r.peak, r.total == 0 ? "-" : clockTime(r.peakAt))
            print("  " + line)
        }
        let s = stats[day]
        let outcomes = s.outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print(String(format: "  logins %d (%@); token requests per login %.2f; device syncs %d, failed %d; admin sync %@",
                     s.logins, outcomes, Double(s.tokenRequests) / Double(max(1, s.logins)), s.syncs, s.syncFailures,
                     s.adminSyncFailures == 0 ? "ok" : "failed (kept the installed directory)"))
    }
    let s = stats[incidentDay]
    print("")
    print("incidents (day \(incidentDay)):")
    print(String(format: "  JumpCloud 429 10:00-11:00: %d syncs due, %d requests (%.2f per sync), peak %d/s; hour after: %d requests, peak %d/s",
                 s.syncsInJumpCloudIncident, jcIncident.total, Double(jcIncident.total) / Double(max(1, s.syncsInJumpCloudIncident)),
                 jcIncident.peak, jcAfter.total, jcAfter.peak))
    print(String(format: "  Entra token 429 09:00-09:10: %d logins polling, %d token requests (%.2f per login), peak %d/s",
                 s.loginsInTokenIncident, s.tokenRequestsInTokenIncident,
                 Double(s.tokenRequestsInTokenIncident) / Double(max(1, s.loginsInTokenIncident)), tokenWindow.peak))
    print("  unannounced key rotation at 13:00: \(keysAfterRotation.total) key fetches for the rest of the day")
}
removeRoot()
