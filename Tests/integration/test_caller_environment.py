"""The hostile local caller: su and sudo are setuid and run PAM with the caller's environment, so
no environment variable of the process may change where the module connects, what it trusts,
where it writes or what it logs (man pam_jcfed, ENVIRONMENT). Each variable is set in pamrun's
environment (the PAM process) and shown to have no effect through real libpam, libcurl, OpenSSL
and glibc's resolver. Where it is cheap, a control shows the same setting does take effect on a
program that does not scrub its environment (the curl tool, Python's getaddrinfo), so a test
cannot pass because its attack was a no-op.

Also here: for type = azure, discovery endpoints off the authority's host are a configuration
error (oidc: allowed, logged at notice), and name resolution is bounded by http_timeout."""
import json
import os
import socket
import ssl
import struct
import subprocess
import threading
import time

import pytest

from conftest import TENANT, interactive_login
from system_trust import can_bind_mount


# ---------------------------------------------------------------------------------------------
# Helpers: listeners, a CONNECT proxy, a DNS responder, a TLS server from a CA of our own


class Listener:
    """A TCP listener that records every connection and closes it at once."""

    def __init__(self, host="127.0.0.1", port=0):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self._stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            c.close()

    def wait_for(self, n=1, seconds=5.0):
        """The count once it reaches n (the accept thread may lag the client), or after `seconds`."""
        deadline = time.monotonic() + seconds
        while self.connections < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.connections

    def close(self):
        self._stop = True
        self.sock.close()


class ConnectionServer:
    """A loopback TCP server that hands each connection to `_handle` on a thread of its own,
    until closed (the proxy and the HTTPS server below)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]

    def start(self):
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def _serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(c,), daemon=True).start()

    def _handle(self, c):
        raise NotImplementedError

    def close(self):
        self.sock.close()


class TunnelProxy(ConnectionServer):
    """An HTTP CONNECT proxy that only tunnels bytes, counting the tunnels it opened."""

    def __init__(self):
        super().__init__()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tunnels = 0
        self.start()

    def _handle(self, c):
        try:
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 8192:
                chunk = c.recv(1024)
                if not chunk:
                    return
                head += chunk
            line = head.split(b"\r\n", 1)[0].split()
            if len(line) < 2 or line[0] != b"CONNECT":
                return
            host, port = line[1].decode().rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)), timeout=10)
            self.tunnels += 1
            c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            for a, b in ((c, upstream), (upstream, c)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()
        except OSError:
            c.close()

    @staticmethod
    def _pipe(a, b):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class DNSResponder:
    """A UDP DNS server on (address, 53): A records from `answers`, NXDOMAIN for other names,
    no AAAA records; `swallow` never answers. Records every queried name (lower case)."""

    def __init__(self, address, answers=None, swallow=False):
        self.address = address
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.sock.bind((address, 53))
        except OSError:
            self.sock.close()
            raise
        self.sock.settimeout(0.2)
        self.answers = {k.lower(): v for k, v in (answers or {}).items()}
        self.swallow = swallow
        self.queries = []
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop:
            try:
                data, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                self._answer(data, peer)
            except (IndexError, struct.error, OSError, UnicodeDecodeError):
                pass

    def _answer(self, data, peer):
        qid, _flags, qdcount = struct.unpack(">HHH", data[:6])
        i, labels = 12, []
        while data[i]:
            n = data[i]
            labels.append(data[i + 1:i + 1 + n].decode("ascii"))
            i += 1 + n
        qtype, _qclass = struct.unpack(">HH", data[i + 1:i + 5])
        question = data[12:i + 5]
        name = ".".join(labels).lower()
        self.queries.append(name)
        if self.swallow or qdcount != 1:
            return
        address = self.answers.get(name)
        if address is None:
            reply = struct.pack(">HHHHHH", qid, 0x8183, 1, 0, 0, 0) + question
        elif qtype == 1:
            rr = struct.pack(">HHHIH", 0xC00C, 1, 1, 5, 4) + socket.inet_aton(address)
            reply = struct.pack(">HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question + rr
        else:
            reply = struct.pack(">HHHHHH", qid, 0x8180, 1, 0, 0, 0) + question
        self.sock.sendto(reply, peer)

    def close(self):
        self._stop = True
        self._thread.join(timeout=5)
        self.sock.close()


def resolver_namespace(base, nameserver, resolv_extra=""):
    """Command prefix: a private mount namespace where /etc/resolv.conf names `nameserver` only
    and /etc/hosts knows only localhost (nothing outside the process changes)."""
    resolv = base / "resolv.conf"
    resolv.write_text(f"nameserver {nameserver}\n{resolv_extra}")
    hosts = base / "hosts"
    hosts.write_text("127.0.0.1 localhost\n::1 localhost\n")
    return ["unshare", "-m", "sh", "-c",
            'mount --bind "$0" /etc/resolv.conf && mount --bind "$1" /etc/hosts && shift && exec "$@"',
            str(resolv), str(hosts)]


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_pki(directory, name):
    """A CA of our own and a server certificate from it for 127.0.0.1: (ca.pem, cert.pem, key.pem)."""
    directory.mkdir(parents=True, exist_ok=True)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", f"/CN={name} CA", cwd=directory)
    (directory / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "req.csr", "-subj", "/CN=127.0.0.1",
            cwd=directory)
    openssl("x509", "-req", "-in", "req.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "cert.pem", "-days", "2", "-extfile", "ext.cnf", cwd=directory)
    return directory / "ca.pem", directory / "cert.pem", directory / "key.pem"


class JSONServer(ConnectionServer):
    """An HTTPS server (certificate from make_pki) answering every GET with routes[path] (JSON,
    200) or 404, and every POST with 400; records the paths asked for."""

    def __init__(self, cert, key, routes):
        super().__init__()
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(str(cert), str(key))
        self.routes = routes
        self.paths = []
        self.start()

    def _handle(self, c):
        try:
            c.settimeout(10)
            s = self.ctx.wrap_socket(c, server_side=True)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = s.recv(4096)
                if not chunk:
                    return
                head += chunk
            method, path = head.split(b" ", 2)[:2]
            path = path.decode()
            self.paths.append(path)
            body = self.routes.get(path) if method == b"GET" else None
            status = "200 OK" if body is not None else ("404 Not Found" if method == b"GET" else "400 Bad Request")
            payload = json.dumps(body if body is not None else {"error": "invalid_request"}).encode()
            s.sendall(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
                      f"Connection: close\r\n\r\n".encode() + payload)
            s.close()
        except (OSError, ssl.SSLError, ValueError):
            c.close()


def approve(idp):
    return lambda code: idp.emulator.approve("alice@contoso.com", user_code=code)


def login(idp, extra_env=None, prefix=None):
    idp.emulator.faults(interval=1)
    return interactive_login(idp, "alice", approve(idp), extra_env=extra_env, valgrind=prefix)


def curl_tool(url, env, cacert=None, timeout=10):
    """The curl tool (which does not scrub its environment) with `env` added: the control."""
    cmd = ["curl", "-s", "-o", "/dev/null", "--max-time", "5", url]
    if cacert:
        cmd[1:1] = ["--cacert", str(cacert)]
    e = dict(os.environ)
    e.update(env)
    return subprocess.run(cmd, env=e, capture_output=True, timeout=timeout).returncode


def assert_signed_in(run):
    assert run.codes == {"auth": "PAM_SUCCESS", "acct": "PAM_SUCCESS"}, run.output + run.log


# ---------------------------------------------------------------------------------------------
# Proxies: only idp.proxy


PROXY_VARIABLES = ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "http_proxy"]


@pytest.mark.parametrize("name", PROXY_VARIABLES)
def test_proxy_variables_are_ignored(idp, name):
    trap = Listener()
    try:
        value = f"http://127.0.0.1:{trap.port}"
        if name != "http_proxy":  # libcurl reads http_proxy for http:// URLs only
            assert curl_tool(idp.emulator.authority(TENANT), {name: value, "NO_PROXY": "", "no_proxy": ""},
                             cacert=idp.emulator.ca_path) != 0
            assert trap.wait_for(1) >= 1, "control: the curl tool did not use " + name
            trap.connections = 0
        run = login(idp, {name: value, "NO_PROXY": "", "no_proxy": ""})
        assert_signed_in(run)
        assert trap.connections == 0, f"{name} was used"
    finally:
        trap.close()


def test_socks_proxy_in_all_proxy_is_ignored(idp):
    trap = Listener()
    try:
        run = login(idp, {"ALL_PROXY": f"socks5h://127.0.0.1:{trap.port}", "all_proxy": f"socks5://127.0.0.1:{trap.port}",
                          "NO_PROXY": "", "no_proxy": ""})
        assert_signed_in(run)
        assert trap.connections == 0
    finally:
        trap.close()


@pytest.mark.parametrize("name", ["NO_PROXY", "no_proxy"])
def test_no_proxy_cannot_bypass_idp_proxy(idp, name):
    proxy = TunnelProxy()
    try:
        idp.write_config(idp={"url": idp.emulator.authority(TENANT), "ca_file": str(idp.emulator.ca_path),
                              "proxy": proxy.url})
        run = login(idp, {name: "*"})
        assert_signed_in(run)
        assert proxy.tunnels >= 1, f"{name}=* bypassed idp.proxy"
    finally:
        proxy.close()


# ---------------------------------------------------------------------------------------------
# Files: SSLKEYLOGFILE and the others a library could create


def test_sslkeylogfile_is_never_opened(idp):
    control = idp.base / "control-keys"
    curl_tool(idp.emulator.authority(TENANT), {"SSLKEYLOGFILE": str(control)}, cacert=idp.emulator.ca_path)
    assert control.exists() and "CLIENT_TRAFFIC_SECRET" in control.read_text(), "control: curl wrote no key log"

    keys = idp.base / "keys"
    run = login(idp, {"SSLKEYLOGFILE": str(keys)})
    assert_signed_in(run)
    assert not keys.exists(), "the module created SSLKEYLOGFILE"

    # An existing file (think /etc/nologin) is not appended to either.
    existing = idp.base / "existing"
    existing.write_text("")
    run = login(idp, {"SSLKEYLOGFILE": str(existing)})
    assert_signed_in(run)
    assert existing.read_text() == "", "the module wrote TLS secrets to SSLKEYLOGFILE"


# ---------------------------------------------------------------------------------------------
# OpenSSL configuration and trust


def test_openssl_conf_is_ignored(idp):
    conf = idp.base / "evil-openssl.cnf"
    conf.write_text("openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n"
                    "[sys]\nCiphersuites = TLS_AES_128_CCM_8_SHA256\nCipherString = eNULL\nSignatureAlgorithms = ed448\n")
    assert curl_tool(idp.emulator.authority(TENANT), {"OPENSSL_CONF": str(conf)}, cacert=idp.emulator.ca_path) != 0, \
        "control: the curl tool ignored OPENSSL_CONF"
    run = login(idp, {"OPENSSL_CONF": str(conf)})
    assert_signed_in(run)


@pytest.fixture
def attacker(pam_env):
    """A TLS server whose certificate comes from a CA of the attacker's, and that CA as a file and
    as a hashed directory."""
    ca, cert, key = make_pki(pam_env.base / "attacker", "attacker")
    hashed = pam_env.base / "attacker-certs"
    hashed.mkdir()
    (hashed / "attacker.pem").write_text(ca.read_text())
    subprocess.run(["openssl", "rehash", str(hashed)], check=True, capture_output=True)
    server = JSONServer(cert, key, {})
    server.ca, server.hashed = ca, hashed
    yield server
    server.close()


@pytest.mark.parametrize("with_ca_file", [True, False])
@pytest.mark.parametrize("name", ["SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", "all"])
def test_trust_store_variables_cannot_add_an_anchor(pam_env, attacker, name, with_ca_file):
    url = f"https://127.0.0.1:{attacker.port}/{TENANT}"
    values = {"SSL_CERT_FILE": str(attacker.ca), "SSL_CERT_DIR": str(attacker.hashed), "CURL_CA_BUNDLE": str(attacker.ca)}
    env = values if name == "all" else {name: values[name]}
    if name in ("CURL_CA_BUNDLE", "all"):
        assert curl_tool(url, env) == 0, "control: the curl tool did not trust the attacker's CA"
    own_ca = make_pki(pam_env.base / "own", "own")[0]
    pam_env.write_config(idp={"url": url, "ca_file": str(own_ca) if with_ca_file else None})
    e = pam_env.env()
    e.update(env)
    codes, out, log = run_with_env(pam_env, e)
    assert codes.get("auth") == "PAM_AUTHINFO_UNAVAIL", out + log
    assert "TLS" in log, log
    assert not any("openid-configuration" in p for p in attacker.paths), "a request went over the untrusted TLS"


def run_with_env(env, e, prefix=()):
    """pamrun auth for alice with the environment `e`; (codes, output, log)."""
    from conftest import MODULE, PAMRUN, pam_code_map
    svc = env.service()
    cmd = list(prefix) + [str(PAMRUN), "-d", str(env.pamd), "-s", svc, "-u", "alice", "-o", "auth", "-n", "1",
                          "-m", str(MODULE), "-A", f"config={env.conf}"]
    if env.syslog.exists():
        env.syslog.unlink()
    p = subprocess.run(cmd, env=e, capture_output=True, text=True, timeout=120)
    log = env.syslog.read_text() if env.syslog.exists() else ""
    return pam_code_map(p.stdout), p.stdout + p.stderr, log


# ---------------------------------------------------------------------------------------------
# Everything else libcurl, OpenSSL and glibc read: a hostile value, no effect, no file


OTHER_VARIABLES = ["OPENSSL_CONF_INCLUDE", "OPENSSL_MODULES", "OPENSSL_ENGINES", "OPENSSL_ia32cap", "CTLOG_FILE",
                   "RANDFILE", "CURL_SSL_BACKEND", "CURL_HOME", "HOME", "KRB5_TRACE", "KRB5_CONFIG", "RESOLV_HOST_CONF"]


def other_variables(base):
    netrc_home = base / "netrc-home"
    netrc_home.mkdir(exist_ok=True)
    (netrc_home / ".netrc").write_text("machine 127.0.0.1 login attacker password attacker\n")
    host_conf = base / "host.conf"
    host_conf.write_text("multi on\nreorder on\n")
    return {
        "OPENSSL_CONF_INCLUDE": str(base / "nonexistent-include"),
        "OPENSSL_MODULES": str(base / "nonexistent-modules"),
        "OPENSSL_ENGINES": str(base / "nonexistent-engines"),
        "OPENSSL_ia32cap": "~0x200000200000000",
        "CTLOG_FILE": str(base / "ctlog"),
        "RANDFILE": str(base / "randfile"),
        "CURL_SSL_BACKEND": "gnutls",
        "CURL_HOME": str(netrc_home),
        "HOME": str(netrc_home),
        "KRB5_TRACE": str(base / "krb5-trace"),
        "KRB5_CONFIG": str(base / "krb5.conf"),
        "RESOLV_HOST_CONF": str(host_conf),
    }


@pytest.mark.parametrize("name", OTHER_VARIABLES)
def test_other_library_variables_have_no_effect(idp, name):
    value = other_variables(idp.base)[name]
    run = login(idp, {name: value})
    assert_signed_in(run)
    for created in ("ctlog", "randfile", "krb5-trace"):
        assert not (idp.base / created).exists(), f"{name} made the module create {created}"


@pytest.mark.parametrize("name,value", [("GNUTLS_DEBUG_LEVEL", "99"), ("GNUTLS_NO_IMPLICIT_INIT", "0")])
def test_gnutls_variables_have_no_effect(idp, name, value):
    """GnuTLS comes into the process with libcurl (its LDAP support links it), and its library
    constructor read GNUTLS_DEBUG_LEVEL: a caller's value made it write its log to the login's
    terminal. The module scrubs GNUTLS_* and adds GNUTLS_NO_IMPLICIT_INIT=1 while libcurl loads,
    so GnuTLS, which a login never uses, does not even initialise."""
    run = login(idp, {name: value, "GNUTLS_DEBUG_LEVEL": "99"})
    assert_signed_in(run)
    assert "gnutls[" not in run.output.lower(), run.output[-2000:]


# ---------------------------------------------------------------------------------------------
# The resolver: LOCALDOMAIN, RES_OPTIONS, HOSTALIASES; and a resolver that never answers

needs_namespace = pytest.mark.skipif(not can_bind_mount(), reason="needs unshare -m and bind mounts (root)")

GOOD, TRAP = "127.0.0.1", "127.0.0.2"


def dns_responder(answers=None, swallow=False):
    """A DNSResponder on the first free 127.53.0.x:53 (resolv.conf cannot name a port)."""
    for i in range(1, 60):
        try:
            return DNSResponder(f"127.53.0.{i}", answers, swallow)
        except OSError:
            continue
    pytest.skip("no free loopback address for a DNS server on port 53")


@needs_namespace
@pytest.mark.parametrize("host,name,value", [
    ("jcfedidp", "LOCALDOMAIN", "evil.test"),          # would search jcfedidp.evil.test first
    ("idp.jcfed.test", "RES_OPTIONS", "ndots:5"),      # would search idp.jcfed.test.corp.test first
    ("jcfedidp", "HOSTALIASES", None),                 # would map jcfedidp to trap.jcfed.test
])
def test_resolver_variables_do_not_change_the_address(pam_env, host, name, value):
    if name == "HOSTALIASES":
        aliases = pam_env.base / "hostaliases"
        aliases.write_text("jcfedidp trap.jcfed.test\n")
        value = str(aliases)
    dns = dns_responder({
        "jcfedidp": GOOD, "idp.jcfed.test": GOOD,
        "jcfedidp.evil.test": TRAP, "idp.jcfed.test.corp.test": TRAP, "trap.jcfed.test": TRAP,
    })
    good = Listener(GOOD)
    trap = Listener(TRAP, good.port)
    try:
        prefix = resolver_namespace(pam_env.base, dns.address, "search corp.test\n")
        e = pam_env.env()
        e[name] = value
        # Control: an ordinary getaddrinfo in the same namespace and environment finds the trap.
        probe = subprocess.run(prefix + ["python3", "-c", "import socket,sys; print(socket.getaddrinfo(sys.argv[1], 443, "
                                         "socket.AF_INET)[0][4][0])", host], env=e, capture_output=True, text=True, timeout=60)
        assert probe.stdout.strip() == TRAP, f"control: {name} did not redirect getaddrinfo: {probe.stdout}{probe.stderr}"

        pam_env.write_config(idp={"url": f"https://{host}:{good.port}/{TENANT}", "ca_file": None})
        codes, out, log = run_with_env(pam_env, e, prefix)
        # The listener closes the connection: the login cannot succeed, but it went to GOOD.
        assert codes.get("auth") == "PAM_AUTHINFO_UNAVAIL", out + log
        assert good.wait_for(1) >= 1, out + log
        assert trap.connections == 0, f"{name} steered the module to the trap"
    finally:
        good.close()
        trap.close()
        dns.close()


@needs_namespace
def test_a_resolver_that_never_answers_is_bounded_by_http_timeout(pam_env):
    dns = dns_responder(swallow=True)
    try:
        # glibc alone would wait 30 s per try, 3 tries, per name.
        prefix = resolver_namespace(pam_env.base, dns.address, "options timeout:30 attempts:3\n")
        pam_env.write_config(idp={"url": f"https://idp.jcfed.test/{TENANT}", "ca_file": None, "http_timeout": "3"})
        start = time.monotonic()
        codes, out, log = run_with_env(pam_env, pam_env.env(), prefix)
        elapsed = time.monotonic() - start
        assert dns.queries, "the resolver was not asked"
        assert codes.get("auth") == "PAM_AUTHINFO_UNAVAIL", out + log
        assert elapsed < 3 + 12, f"login took {elapsed:.1f}s with http_timeout = 3"
    finally:
        dns.close()


# ---------------------------------------------------------------------------------------------
# Discovery endpoints and the authority's host


def discovery_document(base, issuer, device=None, token=None, jwks=None):
    return {"issuer": issuer,
            "device_authorization_endpoint": device or base + "/oauth2/v2.0/devicecode",
            "token_endpoint": token or base + "/oauth2/v2.0/token",
            "jwks_uri": jwks or base + "/discovery/v2.0/keys",
            "id_token_signing_alg_values_supported": ["RS256"]}


@pytest.fixture
def provider(pam_env):
    ca, cert, key = make_pki(pam_env.base / "provider", "provider")
    server = JSONServer(cert, key, {})
    server.ca = ca
    yield server
    server.close()


@pytest.mark.parametrize("field", ["device", "token", "jwks"])
def test_azure_endpoint_off_the_authority_is_a_configuration_error(pam_env, provider, field):
    elsewhere = Listener()
    try:
        base = f"https://127.0.0.1:{provider.port}/{TENANT}"
        off = f"https://localhost:{elsewhere.port}/{TENANT}/{field}"
        provider.routes[f"/{TENANT}/v2.0/.well-known/openid-configuration"] = \
            discovery_document(base, base + "/v2.0", **{field: off})
        pam_env.write_config(idp={"url": base, "ca_file": str(provider.ca)})
        codes, out, log = run_with_env(pam_env, pam_env.env())
        assert codes.get("auth") == "PAM_SERVICE_ERR", out + log
        assert "Federated login is misconfigured; contact your administrator." in out
        assert off in log and f"127.0.0.1:{provider.port}" in log, log
        assert elsewhere.connections == 0
        assert provider.paths == [f"/{TENANT}/v2.0/.well-known/openid-configuration"]
    finally:
        elsewhere.close()


def test_oidc_endpoint_on_another_host_is_logged_at_notice(pam_env, provider):
    base = f"https://127.0.0.1:{provider.port}/realms/corp"
    other = "https://localhost:1/realms/corp/token"
    provider.routes["/realms/corp/.well-known/openid-configuration"] = discovery_document(base, base, token=other)
    pam_env.write_config(idp={"type": "oidc", "url": base, "ca_file": str(provider.ca)})
    codes, out, log = run_with_env(pam_env, pam_env.env())
    # The device authorization request then fails (the server answers 400): only the log matters.
    notices = [l for l in log.splitlines() if l.startswith("SYSLOG 5 ") and other in l and "token_endpoint" in l]
    assert len(notices) == 1, log
