"""`jcfed idp test` (and the checks `jcfed enable` runs) against a small stand-in IdP over real
TLS: a test CA made with openssl, a Python HTTPS server speaking the Entra endpoints the checks
call (discovery, keys, devicecode, token). It answers like Entra does for public and confidential
app registrations (AADSTS7000218 / 700025), and can skew its Date header, serve a weak key or
name another issuer. The full Entra emulator is used by test_tool_emulator.py.
"""
import email.utils
import json
import os
import re
import shutil
import ssl
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from test_tool import CLIENT, SECRET, jcfed, make_root, secret_file, assert_golden

TENANT = "11111111-2222-3333-4444-555555555555"
OTHER_TENANT = "66666666-7777-8888-9999-000000000000"
DEVICE_CODE = "DEVICECODE-never-shown-0123456789"
USER_CODE = "FRWQDE7YL"


def b64url(data: bytes) -> str:
    import base64
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class FakeEntra(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = {}

    def log_message(self, *args):
        pass

    def date_time_string(self, timestamp=None):
        return email.utils.formatdate(time.time() + self.state.get("skew", 0), usegmt=True)

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, error, code):
        self.reply(status, {"error": error, "error_description": f"AADSTS{code}: test",
                            "error_codes": [code], "correlation_id": "c0ffee00-0000-4000-8000-000000000000"})

    def tenant(self):
        parts = self.path.split("/")
        return parts[1] if len(parts) > 1 else ""

    def do_GET(self):
        s = self.state
        s["requests"].append(("GET", self.path, ""))
        base = f"https://127.0.0.1:{self.server.server_address[1]}/{TENANT}"
        if self.tenant() != TENANT:
            return self.error(400, "invalid_tenant", 90002)
        if self.path.endswith("/v2.0/.well-known/openid-configuration"):
            issuer_tenant = s.get("issuer_tenant", "{tenantid}")
            return self.reply(200, {
                "issuer": f"https://127.0.0.1:{self.server.server_address[1]}/{issuer_tenant}/v2.0",
                "jwks_uri": base + "/discovery/v2.0/keys",
                "device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
                "token_endpoint": base + "/oauth2/v2.0/token",
                "id_token_signing_alg_values_supported": ["RS256"]})
        if self.path.endswith("/discovery/v2.0/keys"):
            size = 128 if s.get("weak") else 256
            n = b"\xc3" + os.urandom(size - 1)
            return self.reply(200, {"keys": [{"kty": "RSA", "use": "sig", "kid": "k1", "n": b64url(n), "e": "AQAB"}]})
        self.reply(404, {})

    def do_POST(self):
        s = self.state
        length = int(self.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        s["requests"].append(("POST", self.path, form))
        confidential = s.get("mode") == "confidential"
        if self.path.endswith("/oauth2/v2.0/devicecode"):
            if form.get("client_id") != CLIENT:
                return self.error(400, "unauthorized_client", 700016)
            return self.reply(200, {"user_code": USER_CODE, "device_code": DEVICE_CODE,
                                    "verification_uri": "https://microsoft.com/devicelogin",
                                    "expires_in": 900, "interval": 5, "message": f"enter the code {USER_CODE}"})
        if self.path.endswith("/oauth2/v2.0/token"):
            secret = form.get("client_secret")
            if confidential and secret is None:
                return self.error(401, "invalid_client", 7000218)
            if confidential and secret != SECRET:
                return self.error(401, "invalid_client", 7000215)
            if not confidential and secret is not None:
                return self.error(401, "invalid_client", 700025)
            return self.error(400, "authorization_pending", 70016)
        self.reply(404, {})


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("certs")

    def ossl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)
    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
         "-subj", "/CN=jcfed tool test CA", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                               "extendedKeyUsage=serverAuth\n")
    ossl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
         "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
    return d


@pytest.fixture(scope="module")
def server(certs):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeEntra)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certs / "server.pem", certs / "server.key")
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield httpd
    httpd.shutdown()


@pytest.fixture
def fake(server):
    FakeEntra.state.clear()
    FakeEntra.state.update(mode="public", skew=0, requests=[])
    return FakeEntra.state


@pytest.fixture
def idp_root(tmp_path, server, certs, fake):
    """A root configured for the fake IdP: its CA as ca_file (under the root), no secret."""
    root = make_root(tmp_path)
    ca = root / "etc/jcfed/test-ca.pem"
    ca.parent.mkdir(parents=True)
    shutil.copy(certs / "ca.pem", ca)
    url = f"https://127.0.0.1:{server.server_address[1]}/{TENANT}"
    r = jcfed(root, "idp", "add", "--type", "azure", "--name", "Fake Entra", "--url", url, "--client-id", CLIENT,
              "--ca-file", "/etc/jcfed/test-ca.pem")
    assert r.returncode == 0, r.stderr
    fake["url"] = url
    return root


def lines(r):
    return [x for x in r.stdout.splitlines() if x.startswith("[")]


def test_public_client_passes_every_check(idp_root, fake):
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 0, r.stdout + r.stderr
    got = lines(r)
    assert [x[:6] for x in got] == ["[ OK ]"] * 6, got
    assert "discovery reachable over verified TLS" in got[1]
    assert got[2] == f"[ OK ] issuer matches: {fake['url']}/v2.0"
    assert got[3] == "[ OK ] signing keys fetched: 1 (1 RSA, >= 2048 bits)"
    assert got[4].startswith("[ OK ] clock within")
    assert got[5] == "[ OK ] device code flow allowed (public client, no secret needed)"
    # The device code and user code are asked for but never shown.
    assert DEVICE_CODE not in r.stdout + r.stderr and USER_CODE not in r.stdout + r.stderr
    posts = [q for q in fake["requests"] if q[0] == "POST"]
    assert [p[1].rsplit("/", 1)[1] for p in posts] == ["devicecode", "token"]
    assert posts[0][2] == {"client_id": CLIENT, "scope": "openid profile email"}


def test_confidential_app_without_secret_is_told_apart(idp_root, fake):
    fake["mode"] = "confidential"
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 1
    fail = lines(r)[-1]
    assert fail.startswith("[FAIL] token request refused: invalid_client (AADSTS7000218, HTTP 401)"), fail
    assert "correlation id c0ffee00" in fail
    assert "-> the app registration is confidential" in fail and "--client-secret-file" in fail


def test_confidential_app_with_secret(idp_root, fake, tmp_path):
    fake["mode"] = "confidential"
    assert jcfed(idp_root, "idp", "update", "--client-secret-file", secret_file(tmp_path)).returncode == 0
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 0, r.stdout
    assert lines(r)[-1] == "[ OK ] device code flow allowed (confidential client, secret accepted)"
    token = [q for q in fake["requests"] if q[1].endswith("/token")][-1]
    assert token[2]["client_secret"] == SECRET  # sent to the IdP (client_secret_post) ...
    assert SECRET not in r.stdout + r.stderr     # ... and never shown


def test_public_app_with_a_secret_is_told_apart(idp_root, fake, tmp_path):
    assert jcfed(idp_root, "idp", "update", "--client-secret-file", secret_file(tmp_path)).returncode == 0
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 1
    fail = lines(r)[-1]
    assert "AADSTS700025" in fail and "--no-client-secret" in fail


def test_unknown_client_id(idp_root, fake):
    jcfed(idp_root, "idp", "update", "--client-id", "99999999-8888-7777-6666-555555555555")
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 1
    assert "AADSTS700016" in lines(r)[-1] and "--client-id" in lines(r)[-1]


def test_tls_is_verified(idp_root, fake):
    """Without the test CA the IdP's certificate does not verify: a failed check, not a skipped one."""
    assert jcfed(idp_root, "idp", "update", "--ca-file", "").returncode == 0
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 1
    assert lines(r)[1].startswith("[FAIL] discovery") and "TLS verification failed" in lines(r)[1]
    assert "--ca-file" in lines(r)[1]
    assert not fake["requests"]


def test_clock_skew_warns(idp_root, fake):
    fake["skew"] = 300
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 0  # a warning, not a failure
    warn = [x for x in lines(r) if x.startswith("[WARN]")]
    assert len(warn) == 1 and "allowed skew 60 s" in warn[0], warn
    # Both clocks are read with one-second resolution: -299 to -301.
    assert re.search(r"clock differs from the IdP by -(299|300|301) s", warn[0]), warn


def test_weak_signing_key_fails(idp_root, fake):
    fake["weak"] = True
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 1
    assert "[FAIL] signing keys: none usable" in r.stdout
    assert "k1: RSA key of 1024 bits is shorter than 2048" in r.stdout


def test_issuer_of_another_tenant_fails(idp_root, fake):
    fake["issuer_tenant"] = OTHER_TENANT
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 1
    assert lines(r)[2].startswith("[FAIL] discovery issuer 'https://127.0.0.1:"), lines(r)
    assert "-> the url must be" in lines(r)[2]


def test_unknown_tenant(idp_root, fake, server):
    url = f"https://127.0.0.1:{server.server_address[1]}/{OTHER_TENANT}"
    assert jcfed(idp_root, "idp", "update", "--url", url).returncode == 0
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 1
    assert "invalid_tenant (AADSTS90002, HTTP 400)" in lines(r)[1] and "no such tenant" in lines(r)[1]


def test_enable_runs_the_checks_and_passes(idp_root, fake):
    r = jcfed(idp_root, "enable", "--yes", "--services", "sshd,login")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[ OK ] device code flow allowed" in r.stdout
    assert_golden(idp_root, "debian12/expected/services-local-password", ["etc/pam.d/sshd", "etc/pam.d/login"])


def test_enable_refuses_a_confidential_app_without_its_secret(idp_root, fake):
    fake["mode"] = "confidential"
    before = (idp_root / "etc/pam.d/sshd").read_text()
    r = jcfed(idp_root, "enable", "--yes", "--services", "sshd")
    assert r.returncode == 2 and "AADSTS7000218" in r.stdout
    assert (idp_root / "etc/pam.d/sshd").read_text() == before
