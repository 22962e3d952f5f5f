import CCurl
import JCFedCore

/// HTTPTransport over libcurl's easy interface (synchronous, no threads of ours).
///
/// One easy handle per instance, so the polls of one login reuse one TLS connection. TLS is always
/// verified: peer and host name, against the system store plus `ca_file` (the system store is
/// the hashed directory /etc/ssl/certs where it has hash links, see SystemTrustStore). No
/// redirects, https only, a response size cap, and a timeout on every request.
public final class CurlTransport: HTTPTransport {
    public static let defaultMaxResponseBytes = 1 << 20
    /// Where Debian keeps the hashed system trust store; kept when ca_file adds anchors.
    static let systemCAPath = "/etc/ssl/certs"

    private let caFile: String?
    private let proxy: String?
    private let maxResponseBytes: Int
    private var handle: OpaquePointer?

    public init(caFile: String?, proxy: String?, maxResponseBytes: Int = CurlTransport.defaultMaxResponseBytes) {
        self.caFile = caFile
        self.proxy = proxy
        self.maxResponseBytes = maxResponseBytes
    }

    public convenience init(settings: IdPSettings) {
        self.init(caFile: settings.caFile, proxy: settings.proxy)
    }

    deinit {
        if let h = handle { jcfed_curl_easy_cleanup(UnsafeMutableRawPointer(h)) }
    }

    public func send(_ request: HTTPRequest, timeoutSeconds: Int) -> Result<HTTPResponse, TransportError> {
        if handle == nil {
            guard let h = jcfed_curl_easy_init() else { return .failure(.other("libcurl could not be loaded")) }
            handle = OpaquePointer(h)
        }
        guard let opaque = handle else { return .failure(.other("libcurl could not be loaded")) }
        let h = UnsafeMutableRawPointer(opaque)
        // Reset options but keep the connection cache of the handle.
        jcfed_curl_easy_reset(h)

        let sink = CurlSink(limit: maxResponseBytes)
        let sinkPtr = Unmanaged.passUnretained(sink).toOpaque()
        var headerList: OpaquePointer?
        defer { if let l = headerList { jcfed_curl_slist_free_all(UnsafeMutablePointer(l)) } }

        let timeoutMs = max(1, timeoutSeconds) * 1000
        var ok = true
        func setLong(_ opt: CURLoption, _ v: Int) { ok = ok && jcfed_curl_setopt_long(h, opt, v) == CURLE_OK }
        // libcurl copies string options; withCString hands it the native string's own bytes.
        func setStr(_ opt: CURLoption, _ v: String) {
            ok = ok && v.withCString { jcfed_curl_setopt_str(h, opt, $0) } == CURLE_OK
        }

        setStr(CURLOPT_URL, request.url)
        // https only. The _STR options need libcurl 7.85; older ones (Ubuntu 22.04 has 7.81) answer
        // CURLE_UNKNOWN_OPTION and take the bitmask options instead (test_package.py runs a login
        // through a libcurl that refuses the _STR options).
        for (named, mask) in [(CURLOPT_PROTOCOLS_STR, CURLOPT_PROTOCOLS), (CURLOPT_REDIR_PROTOCOLS_STR, CURLOPT_REDIR_PROTOCOLS)] {
            let rc = jcfed_curl_setopt_str(h, named, "https")
            if rc == CURLE_UNKNOWN_OPTION { setLong(mask, Int(CURLPROTO_HTTPS)) } else { ok = ok && rc == CURLE_OK }
        }
        setLong(CURLOPT_FOLLOWLOCATION, 0)
        setLong(CURLOPT_SSL_VERIFYPEER, 1)
        setLong(CURLOPT_SSL_VERIFYHOST, 2)
        setLong(CURLOPT_NOSIGNAL, 1)
        setLong(CURLOPT_TIMEOUT_MS, timeoutMs)
        setLong(CURLOPT_CONNECTTIMEOUT_MS, timeoutMs)
        // A timeout during name resolution must end the request: without QUICK_EXIT (libcurl
        // 7.87+) libcurl 7.88 joins its resolver thread, i.e. waits for glibc's own timeouts
        // (resolv.conf: up to 30 s per try), far past TIMEOUT_MS. With it the thread is detached
        // and finishes on its own. A libcurl older than 7.87 (Ubuntu 22.04 has 7.81) does not know
        // the option: it is not an error there (the request still has its timeouts; only a
        // resolver that never answers waits for glibc's own resolver timeouts).
        let quickExit = jcfed_curl_setopt_long(h, CURLOPT_QUICK_EXIT, 1)
        ok = ok && (quickExit == CURLE_OK || quickExit == CURLE_UNKNOWN_OPTION)
        setLong(CURLOPT_NOPROGRESS, 1)
        setStr(CURLOPT_USERAGENT, "jcfed/" + JCFedVersion.string)
        // Trust anchors always explicit: nothing is left to a default (the process environment
        // cannot reach them anyway, see jcfed_environment.h, but the configuration says it all).
        if let caFile = caFile {
            setStr(CURLOPT_CAINFO, caFile)
            setStr(CURLOPT_CAPATH, CurlTransport.systemCAPath)
        } else if SystemTrustStore.isHashedDirectory {
            // The system store as the hashed directory only, not libcurl's default bundle file,
            // which OpenSSL would parse whole on every login (see SystemTrustStore).
            ok = ok && jcfed_curl_setopt_str(h, CURLOPT_CAINFO, nil) == CURLE_OK
            setStr(CURLOPT_CAPATH, CurlTransport.systemCAPath)
        } else {
            // No hash links (RHEL layout): libcurl's built-in bundle and directory, compiled in
            // by the distribution, restated.
            let (bundle, directory) = CurlTransport.builtInTrust(h)
            if let bundle = bundle { setStr(CURLOPT_CAINFO, bundle) }
            if let directory = directory { setStr(CURLOPT_CAPATH, directory) }
        }
        // Only idp.proxy: "" disables libcurl's *_proxy lookup. NOPROXY given too, so NO_PROXY is
        // never consulted: with a proxy, every host goes through it (loopback too).
        setStr(CURLOPT_PROXY, proxy ?? "")
        setStr(CURLOPT_NOPROXY, proxy == nil ? "*" : "")
        // No ~/.netrc credentials (CURL_NETRC_IGNORED is the default; stated).
        setLong(CURLOPT_NETRC, Int(CURL_NETRC_IGNORED.rawValue))
        ok = ok && jcfed_curl_setopt_off(h, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxResponseBytes)) == CURLE_OK
        ok = ok && jcfed_curl_setopt_write(h, curlWrite, sinkPtr) == CURLE_OK
        ok = ok && jcfed_curl_setopt_header(h, curlHeader, sinkPtr) == CURLE_OK

        for (name, value) in request.headers {
            // Header values come from our code, but a CR or LF must never split a header.
            guard !(name + value).contains(where: { $0 == "\r" || $0 == "\n" }) else { return .failure(.other("invalid header")) }
            let appended = (name + ": " + value).withCString {
                jcfed_curl_slist_append(headerList.map { UnsafeMutablePointer($0) }, $0)
            }
            guard let list = appended else { return .failure(.outOfMemory) }
            headerList = OpaquePointer(list)
        }
        // libcurl adds "Expect: 100-continue" to larger POSTs; one round trip is enough.
        if let list = jcfed_curl_slist_append(headerList.map { UnsafeMutablePointer($0) }, "Expect:") {
            headerList = OpaquePointer(list)
        }
        if let l = headerList {
            ok = ok && jcfed_curl_setopt_slist(h, CURLOPT_HTTPHEADER, UnsafeMutablePointer(l)) == CURLE_OK
        }
        guard ok else { return .failure(.other("libcurl rejected an option")) }

        // A trailing NUL keeps the buffer non-empty, so libcurl always gets a valid pointer that
        // lives until perform returns; the size excludes it.
        let bodyBytes = request.body + [0]
        let code: CURLcode = bodyBytes.withUnsafeBufferPointer { body -> CURLcode in
            if request.method == .post, let base = body.baseAddress {
                _ = jcfed_curl_setopt_long(h, CURLOPT_POST, 1)
                _ = jcfed_curl_setopt_long(h, CURLOPT_POSTFIELDSIZE, request.body.count)
                _ = jcfed_curl_setopt_ptr(h, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: base))
            } else {
                _ = jcfed_curl_setopt_long(h, CURLOPT_HTTPGET, 1)
            }
            return jcfed_curl_easy_perform(h)
        }
        if sink.overflowed { return .failure(.oversize) }
        guard code == CURLE_OK else { return .failure(CurlTransport.classify(code)) }

        var status = 0
        _ = jcfed_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        if (300..<400).contains(status) { return .failure(.redirect) }
        return .success(HTTPResponse(status: status, headers: sink.headers, body: sink.body))
    }

    /// libcurl's compiled-in CA bundle and directory (CURLINFO_CAINFO/CAPATH, libcurl 7.84+),
    /// read from a freshly reset handle; nil when libcurl has none or is older.
    static func builtInTrust(_ h: UnsafeMutableRawPointer) -> (String?, String?) {
        func read(_ info: CURLINFO) -> String? {
            var value: UnsafePointer<CChar>?
            guard jcfed_curl_getinfo_str(h, info, &value) == CURLE_OK, let v = value else { return nil }
            return String(cString: v)
        }
        return (read(CURLINFO_CAINFO), read(CURLINFO_CAPATH))
    }

    static func classify(_ code: CURLcode) -> TransportError {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .dns
        case CURLE_COULDNT_CONNECT: return .connect
        case CURLE_OPERATION_TIMEDOUT: return .timeout
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ENGINE_INITFAILED:
            return .tls
        case CURLE_FILESIZE_EXCEEDED: return .oversize
        case CURLE_OUT_OF_MEMORY: return .outOfMemory
        case CURLE_UNSUPPORTED_PROTOCOL: return .other("only https is allowed")
        default: return .other(String(cString: jcfed_curl_easy_strerror(code)))
        }
    }
}

/// What the C callbacks write into; passed to libcurl as an opaque pointer that lives for one
/// perform call.
final class CurlSink {
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    let limit: Int
    var overflowed = false

    init(limit: Int) { self.limit = limit }

    func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        if body.count + bytes.count > limit {
            overflowed = true
            return 0  // makes libcurl stop with CURLE_WRITE_ERROR
        }
        body.append(contentsOf: bytes)
        return bytes.count
    }

    func header(_ bytes: UnsafeRawBufferPointer) {
        guard headers.count < 100 else { return }
        switch HTTPHeaderLine.parse(bytes) {
        case .statusLine: headers = [:]  // a new response (after 100-continue)
        case .field(let name, let value): headers[name] = value
        case .other: break
        }
    }
}

private let curlWrite: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { ptr, size, count, ctx in
    guard let ptr = ptr, let ctx = ctx else { return 0 }
    let sink = Unmanaged<CurlSink>.fromOpaque(ctx).takeUnretainedValue()
    return sink.append(UnsafeRawBufferPointer(start: ptr, count: size * count))
}

private let curlHeader: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { ptr, size, count, ctx in
    guard let ptr = ptr, let ctx = ctx else { return 0 }
    let sink = Unmanaged<CurlSink>.fromOpaque(ctx).takeUnretainedValue()
    sink.header(UnsafeRawBufferPointer(start: ptr, count: size * count))
    return size * count
}
