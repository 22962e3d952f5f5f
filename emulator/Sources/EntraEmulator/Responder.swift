// Every request passes here: log it, apply the transport faults, route it, apply the content faults,
// write the answer (possibly slowly, hugely or not at all).
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

struct EmulatorContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}

struct ConnectionDropped: Error {}

struct EmulatorResponder: HTTPResponder {
    typealias Context = EmulatorContext
    let state: EmulatorState
    let hostAliases: @Sendable () async -> [String]

    func respond(to request: Request, context: EmulatorContext) async throws -> Response {
        let started = Date()
        var request = request
        let path = request.uri.path
        let method = request.method.rawValue
        let bodyBuffer = try await request.collectBody(upTo: 4 << 20)
        let body = Array(bodyBuffer.readableBytesView)
        let contentType = request.headers[.contentType] ?? ""
        let form =
            contentType.lowercased().contains("application/x-www-form-urlencoded")
            ? Encoding.parseForm(String(decoding: body, as: UTF8.self)) : [:]
        let query = Encoding.parseForm(request.uri.query ?? "")
        let basic = BasicCredentials(header: request.headers[.authorization])
        let route = Route(path: path)

        if case .control = route {
            let reply = await ControlAPI.handle(method: method, path: path, body: body, state: state)
            log(method: method, path: path, reply: reply, started: started)
            return try await makeResponse(reply, context: context)
        }

        let index = await state.logRequest(
            RequestLogEntry(
                tMs: Int(started.timeIntervalSince1970 * 1000), method: method, path: path,
                grantType: form["grant_type"], clientID: form["client_id"] ?? basic?.clientID,
                scope: form["scope"], clientAuth: Self.clientAuth(form: form, basic: basic)))

        var reply: Reply
        if let endpoint = route.endpoint, let faults = await state.takeTransportFaults(for: endpoint) {
            reply = await withTransportFaults(faults) {
                await self.answer(route: route, method: method, path: path, form: form, query: query,
                    basic: basic, request: request)
            }
        } else {
            reply = await answer(route: route, method: method, path: path, form: form, query: query,
                basic: basic, request: request)
        }
        if reply.isEntraError, reply.status != 200, let endpoint = route.endpoint,
            let faults = await state.activeFaults(for: endpoint), faults.http200Errors
        {
            reply.status = 200
            reply.note = (reply.note ?? "") + " (as HTTP 200)"
            await state.consumeFault()
        }
        await state.finishRequest(index: index, status: reply.drop ? 0 : reply.status, note: reply.note)
        log(method: method, path: path, reply: reply, started: started)
        return try await makeResponse(reply, context: context)
    }

    // MARK: routing

    private func answer(
        route: Route, method: String, path: String, form: [String: String], query: [String: String],
        basic: BasicCredentials?, request: Request
    ) async -> Reply {
        let baseURL = await state.baseURL
        let correlationID = request.headers[HTTPField.Name("client-request-id")!].flatMap {
            Encoding.isGUID($0) ? $0.lowercased() : nil
        }
        if case .deviceLogin = route {
            return await DeviceLoginPage.handle(method: method, path: path, form: form, state: state)
        }
        if case .notFound = route {
            return Reply.html("<h1>404 Not Found</h1>", status: 404)
        }
        guard method == route.allowedMethod || (method == "HEAD" && route.allowedMethod == "GET") else {
            var reply = Reply.text("method not allowed", status: 405)
            reply.headers.append(("Allow", route.allowedMethod))
            return reply
        }
        let fixture = state.fixture
        let secret = form["client_secret"] ?? basic?.secret

        switch route {
        case .openIDConfiguration(let tenant):
            var mismatch = false
            if let f = await state.activeFaults(for: .discovery), f.issuerMismatch {
                mismatch = true
                await state.consumeFault()
            }
            return Discovery.openIDConfiguration(
                tenantSegment: tenant, fixture: fixture, baseURL: baseURL, issuerMismatch: mismatch)
        case .instanceDiscovery:
            return Discovery.instance(query: query, baseURL: baseURL, hostAliases: await hostAliases())
        case .deviceCode(let segment):
            guard let tenant = fixture.tenant(named: segment) else {
                return EntraError.tenantNotFound(segment).reply(baseURL: baseURL, correlationID: correlationID)
            }
            return await DeviceAuthorization.handle(
                tenant: tenant, form: form, clientSecret: secret, state: state, baseURL: baseURL,
                correlationID: correlationID)
        case .token(let segment):
            guard let tenant = fixture.tenant(named: segment) else {
                return EntraError.tenantNotFound(segment).reply(baseURL: baseURL, correlationID: correlationID)
            }
            return await TokenEndpoint.handle(
                tenant: tenant, form: form, clientSecret: secret, state: state, baseURL: baseURL,
                correlationID: correlationID)
        case .keys(let segment):
            guard Discovery.multiTenantAliases.contains(segment.lowercased()) || fixture.tenant(named: segment) != nil
            else {
                return EntraError.tenantNotFound(segment).reply(baseURL: baseURL, correlationID: correlationID)
            }
            if let f = await state.activeFaults(for: .keys), f.weakKeys {
                await state.consumeFault()
                return Reply.json(Self.weakKeys(), cache: "max-age=86400, private")
            }
            if let f = await state.activeFaults(for: .keys), f.keysGarbage {
                await state.consumeFault()
                return Reply.json(Self.garbageKeys(await state.keys, baseURL: baseURL), cache: "max-age=86400, private")
            }
            return Reply.json((await state.keys).jwks(baseURL: baseURL), cache: "max-age=86400, private")
        case .deviceLogin, .control, .notFound:
            return Reply.html("<h1>404 Not Found</h1>", status: 404)
        }
    }

    /// Valid JSON, real kids, unusable key material.
    static func garbageKeys(_ keys: KeyRing, baseURL: String) -> JSON {
        [
            "keys": .array(keys.published.map { key in
                [
                    "kty": "RSA", "use": "sig", "kid": .string(key.kid), "x5t": .string(key.kid),
                    "n": "%%%not*base64url%%%", "e": "A", "x5c": ["not a certificate"],
                    "issuer": .string(baseURL + "/{tenantid}/v2.0"),
                ]
            })
        ]
    }

    // MARK: transport faults

    private func withTransportFaults(_ f: FaultSet, _ real: () async -> Reply) async -> Reply {
        if let ms = f.delayMs, ms > 0 {
            try? await Task.sleep(nanoseconds: UInt64(ms) * 1_000_000)
        }
        if f.hang {
            let generation = await state.generation
            while !Task.isCancelled, await state.generation == generation {
                try? await Task.sleep(nanoseconds: 100_000_000)
            }
            var reply = Reply.dropped
            reply.note = "hang ended"
            return reply
        }
        if f.dropConnection {
            var reply = Reply.dropped
            reply.note = "connection dropped"
            return reply
        }
        if let target = f.redirectTo {
            var reply = Reply.html("<a href=\"\(Encoding.html(target))\">moved</a>", status: 302)
            reply.headers.append(("Location", target))
            reply.note = "redirect to \(target)"
            return reply
        }
        if let status = f.status {
            var reply = EntraError.injected(status: status).reply(baseURL: await state.baseURL, correlationID: nil)
            if let seconds = f.retryAfter { reply.headers.append(("Retry-After", String(seconds))) }
            reply.note = "injected \(status)" + (f.retryAfter.map { " Retry-After \($0)" } ?? "")
            return reply
        }
        var reply = await real()
        if f.malformedJSON {
            reply.status = 200
            reply.body = Array("{\"token_type\":\"Bearer\",\"error\": <html>Service Unavailable</html>,]".utf8)
            reply.note = "malformed json"
        } else if f.truncatedJSON {
            reply.body = Array(reply.body.prefix(max(1, reply.body.count / 2)))
            reply.note = (reply.note ?? "") + " truncated"
        }
        if let mb = f.hugeBodyMB {
            reply.status = 200
            reply.hugeBodyBytes = mb * 1024 * 1024
            reply.note = "huge body \(mb) MB"
        }
        if f.slowBytes {
            reply.slowBytes = true
            reply.note = (reply.note ?? "") + " slow bytes"
        }
        return reply
    }

    // MARK: writing

    private func makeResponse(_ reply: Reply, context: EmulatorContext) async throws -> Response {
        if reply.drop {
            try? await context.channel.close()
            throw ConnectionDropped()
        }
        var headers = HTTPFields()
        for (name, value) in reply.headers {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        let status = HTTPResponse.Status(code: reply.status)
        if let total = reply.hugeBodyBytes {
            return Response(status: status, headers: headers, body: ResponseBody(contentLength: total) { writer in
                let head = Array("{\"padding\":\"".utf8)
                let tail = Array("\"}".utf8)
                var written = 0
                let chunk = ByteBuffer(repeating: UInt8(ascii: "a"), count: 64 * 1024)
                try await writer.write(ByteBuffer(bytes: head))
                written += head.count
                while written < total - tail.count {
                    let n = min(chunk.readableBytes, total - tail.count - written)
                    try await writer.write(chunk.getSlice(at: 0, length: n) ?? chunk)
                    written += n
                }
                try await writer.write(ByteBuffer(bytes: tail))
                try await writer.finish(nil)
            })
        }
        if reply.slowBytes {
            let bytes = reply.body
            return Response(status: status, headers: headers, body: ResponseBody(contentLength: bytes.count) { writer in
                for byte in bytes {
                    try await writer.write(ByteBuffer(bytes: [byte]))
                    try await Task.sleep(nanoseconds: 1_000_000_000)
                }
                try await writer.finish(nil)
            })
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
    }

    private func log(method: String, path: String, reply: Reply, started: Date) {
        let ms = Int(Date().timeIntervalSince(started) * 1000)
        let status = reply.drop ? "---" : String(reply.status)
        let note = reply.note.map { " " + $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let line = "\(Encoding.isoTimestamp()) \(method) \(path) \(status) \(ms)ms\(note)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}

/// client_secret_basic: `Authorization: Basic base64(urlencode(client_id):urlencode(secret))`.
struct BasicCredentials {
    let clientID: String
    let secret: String

    init?(header: String?) {
        guard let header, header.lowercased().hasPrefix("basic "),
            let decoded = Encoding.base64Decode(String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(bytes: decoded, encoding: .utf8),
            let colon = text.firstIndex(of: ":")
        else { return nil }
        clientID = Encoding.decodeComponent(String(text[..<colon])) ?? String(text[..<colon])
        secret = Encoding.decodeComponent(String(text[text.index(after: colon)...])) ?? ""
    }
}
