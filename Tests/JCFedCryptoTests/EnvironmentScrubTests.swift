#if canImport(Glibc)
import Glibc
#endif
import Testing
import COpenSSL

/// The scrubbed environment libcurl and libcrypto run in (Sources/COpenSSL/jcfed_environment.h):
/// which variables it removes, and that the caller's environment comes back exactly. The
/// integration tests (test_caller_environment.py) show each variable has no effect on a login.
@Suite(.serialized) struct EnvironmentScrubTests {
    @Test(arguments: [
        "http_proxy=x", "https_proxy=x", "HTTPS_PROXY=x", "all_proxy=x", "ALL_PROXY=x", "no_proxy=x", "NO_PROXY=x",
        "Https_Proxy=x", "socks_proxy=x", "SSLKEYLOGFILE=/tmp/k", "CURL_CA_BUNDLE=x", "CURL_HOME=x",
        "CURL_SSL_BACKEND=x", "SSL_CERT_FILE=x", "SSL_CERT_DIR=x", "OPENSSL_CONF=x", "OPENSSL_CONF_INCLUDE=x",
        "OPENSSL_MODULES=x", "OPENSSL_ENGINES=x", "OPENSSL_ia32cap=x", "CTLOG_FILE=x", "RANDFILE=x", "HOME=/root",
        "LOCALDOMAIN=x", "RES_OPTIONS=x", "HOSTALIASES=x", "RESOLV_HOST_CONF=x", "KRB5_CONFIG=x", "KRB5CCNAME=x",
        "SSLKEYLOGFILE", "HOME=", "GNUTLS_DEBUG_LEVEL=9", "GNUTLS_SYSTEM_PRIORITY_FILE=x", "GNUTLS_NO_IMPLICIT_INIT=0",
        "P11_KIT_DEBUG=all", "P11_KIT_STRICT=yes",
    ])
    func theseAreScrubbed(entry: String) {
        #expect(jcfed_env_is_scrubbed(entry) == 1)
    }

    @Test(arguments: [
        "PATH=/usr/bin", "LANG=C", "TERM=xterm", "PAM_USER=x", "SSLKEYLOGFILEX=x", "XSSLKEYLOGFILE=x", "HOMEDIR=x",
        "proxy=x", "_prox=x", "LD_PRELOAD=x", "NSS_WRAPPER_PASSWD=x", "PAMRUN_SYSLOG=x", "x=https_proxy", "=",
    ])
    func theseAreKept(entry: String) {
        #expect(jcfed_env_is_scrubbed(entry) == 0)
    }

    @Test func nullIsNotScrubbed() {
        #expect(jcfed_env_is_scrubbed(nil) == 0)
    }

    @Test func theCallersEnvironmentComesBackExactly() {
        setenv("JCFEDTEST_proxy", "http://127.0.0.1:9", 1)
        setenv("OPENSSL_JCFEDTEST", "/nonexistent", 1)
        setenv("JCFEDTEST_KEEP", "kept", 1)
        defer {
            unsetenv("JCFEDTEST_proxy")
            unsetenv("OPENSSL_JCFEDTEST")
            unsetenv("JCFEDTEST_KEEP")
        }
        let before = environ
        let entries = Self.entries()

        #expect(jcfed_env_scrub_begin() == 1)
        #expect(getenv("JCFEDTEST_proxy") == nil)
        #expect(getenv("OPENSSL_JCFEDTEST") == nil)
        #expect(getenv("JCFEDTEST_KEEP").map { String(cString: $0) } == "kept")
        let inside = Self.entries()
        // Kept in order, and one entry of ours at the end: GnuTLS (loaded only because libcurl's
        // LDAP support links it) skips its implicit initialisation, which a login never uses.
        #expect(inside == entries.filter { jcfed_env_is_scrubbed($0) == 0 } + ["GNUTLS_NO_IMPLICIT_INIT=1"])
        #expect(getenv("GNUTLS_NO_IMPLICIT_INIT").map { String(cString: $0) } == "1")
        // Scopes nest: the inner end leaves the scrubbed environment in place.
        #expect(jcfed_env_scrub_begin() == 1)
        jcfed_env_scrub_end()
        #expect(getenv("JCFEDTEST_proxy") == nil)
        jcfed_env_scrub_end()

        #expect(environ == before, "the caller's own array is back")
        #expect(Self.entries() == entries)
        #expect(getenv("GNUTLS_NO_IMPLICIT_INIT") == nil)
        #expect(getenv("JCFEDTEST_proxy").map { String(cString: $0) } == "http://127.0.0.1:9")
        #expect(getenv("OPENSSL_JCFEDTEST").map { String(cString: $0) } == "/nonexistent")
    }

    @Test func anUnbalancedEndDoesNothing() {
        let before = environ
        jcfed_env_scrub_end()
        #expect(environ == before)
    }

    static func entries() -> [String] {
        var out: [String] = []
        var p = environ
        while let entry = p.pointee {
            out.append(String(cString: entry))
            p += 1
        }
        return out
    }
}
