"""The fault matrix. Every way the network or the identity provider can fail, one
row each, through real libpam (pamrun), the real module, real libcurl/OpenSSL, against the Entra
emulator (or a socket of our own for what the emulator cannot do). Each row states the PAM code the
module must return and an upper bound on the time it may take: never a hang, never a success.

http_timeout is 2 s, so a row that waits on the network ends after about 2 s; MARGIN covers
process start-up and a loaded 2-core machine.

Mapping (pam_jcfed(8) RETURN VALUES, LoginOutcomes): anything that says "the IdP cannot be used right now"
(DNS, connect, TLS, timeouts, 5xx, 429, redirects, bodies that are not JSON, oversize, keys that
cannot be used) is PAM_AUTHINFO_UNAVAIL; a discovery document that names another issuer is a
configuration problem an admin must fix, PAM_SERVICE_ERR.
"""
import socket
import threading
import time

import pytest

from conftest import TENANT, interactive_login

HTTP_TIMEOUT = 2
LOGIN_TIMEOUT = 20
MARGIN = 3.0
ONE_REQUEST = HTTP_TIMEOUT + MARGIN  # a row that fails on one (possibly stalled) request
ALICE = "alice@contoso.com"
UNAVAIL = "PAM_AUTHINFO_UNAVAIL"


class Row:
    """One fault: where it happens, what is switched on, the expected code, the time bound.

    target: emulator | refused | dns | untrusted-ca | wrong-host | expired-cert | stall
    faults: emulator fault switches set before the login (`after_code` False) or when the code
            is shown (`after_code` True, i.e. once the device flow is under way).
    approve: the person approves the code as alice (so the flow reaches token and keys).
    log: a fragment the admin log must carry (the right failure, not just any failure).
    min_seconds: the row must really have waited (e.g. for a timeout), not failed early.
    max_token_requests: a failure ends the login, it does not retry in a loop.
    """

    def __init__(self, name, expect, bound=ONE_REQUEST, target="emulator", faults=None, after_code=False,
                 approve=False, log=None, min_seconds=0.0, max_token_requests=3, login_timeout=LOGIN_TIMEOUT):
        self.name = name
        self.expect = expect
        self.bound = bound
        self.target = target
        self.faults = faults
        self.after_code = after_code
        self.approve = approve
        self.log = log
        self.min_seconds = min_seconds
        self.max_token_requests = max_token_requests
        self.login_timeout = login_timeout


def on(path, **switches):
    return dict(switches, paths=[path])


TIMED_OUT = "request timed out"
ROWS = [
    # The server cannot be reached or trusted (nothing of ours is sent).
    Row("connection-refused", UNAVAIL, target="refused", log="connection failed"),
    Row("dns-failure", UNAVAIL, target="dns", log="name resolution failed"),
    Row("tls-untrusted-ca", UNAVAIL, target="untrusted-ca", log="TLS verification failed"),
    Row("tls-wrong-host-name", UNAVAIL, target="wrong-host", log="TLS verification failed"),
    Row("tls-expired-certificate", UNAVAIL, target="expired-cert", log="TLS verification failed"),
    Row("tls-handshake-stall", UNAVAIL, target="stall", log=TIMED_OUT, min_seconds=HTTP_TIMEOUT - 0.5),
    # The first request (discovery) meets a transport fault.
    Row("discovery-hang", UNAVAIL, faults=on("discovery", hang=True), log=TIMED_OUT, min_seconds=HTTP_TIMEOUT - 0.5),
    Row("discovery-slow-bytes", UNAVAIL, faults=on("discovery", slow_bytes=True), log=TIMED_OUT,
        min_seconds=HTTP_TIMEOUT - 0.5),
    Row("discovery-drop-connection", UNAVAIL, faults=on("discovery", drop_connection=True), log="unreachable"),
    Row("discovery-500", UNAVAIL, faults=on("discovery", status=500), log="HTTP 500"),
    Row("discovery-502", UNAVAIL, faults=on("discovery", status=502), log="HTTP 502"),
    Row("discovery-503", UNAVAIL, faults=on("discovery", status=503), log="HTTP 503"),
    # Retry-After on a 5xx is not waited for: the login reports the outage at once.
    Row("discovery-500-retry-after", UNAVAIL, faults=on("discovery", status=500, retry_after=30), log="HTTP 500"),
    Row("discovery-502-retry-after", UNAVAIL, faults=on("discovery", status=502, retry_after=30), log="HTTP 502"),
    Row("discovery-503-retry-after", UNAVAIL, faults=on("discovery", status=503, retry_after=30), log="HTTP 503"),
    Row("discovery-429", UNAVAIL, faults=on("discovery", status=429, retry_after=30), log="HTTP 429"),
    Row("discovery-redirect-other-host", UNAVAIL,
        faults=on("discovery", redirect_to="https://login.attacker.invalid/evil/v2.0/.well-known/openid-configuration"),
        log="unexpected redirect"),
    Row("discovery-malformed-json", UNAVAIL, faults=on("discovery", malformed_json=True), log="discovery document unusable"),
    Row("discovery-truncated-json", UNAVAIL, faults=on("discovery", truncated_json=True), log="discovery document unusable"),
    Row("discovery-50mb-body", UNAVAIL, faults=on("discovery", huge_body_mb=50), log="response too large"),
    Row("discovery-issuer-mismatch", "PAM_SERVICE_ERR", faults={"issuer_mismatch": True}, log="discovery issuer"),
    # A slow IdP that still answers within http_timeout is not a fault: every request (discovery,
    # device code, poll, keys) waits 1.5 s of the 2 s, and the login succeeds.
    Row("slow-but-within-timeout", "PAM_SUCCESS", faults={"delay_ms": 1500}, approve=True,
        min_seconds=4 * 1.5, bound=4 * 1.5 + MARGIN),
    # The device authorization request.
    Row("devicecode-503", UNAVAIL, faults=on("devicecode", status=503), log="HTTP 503"),
    Row("devicecode-429", UNAVAIL, faults=on("devicecode", status=429, retry_after=1), log="rateLimited"),
    Row("devicecode-hang", UNAVAIL, faults=on("devicecode", hang=True), log=TIMED_OUT, min_seconds=HTTP_TIMEOUT - 0.5),
    Row("devicecode-malformed-json", UNAVAIL, faults=on("devicecode", malformed_json=True), log="not JSON"),
    Row("devicecode-truncated-json", UNAVAIL, faults=on("devicecode", truncated_json=True), log="not JSON"),
    Row("devicecode-redirect-other-host", UNAVAIL, faults=on("devicecode", redirect_to="https://attacker.invalid/x"),
        log="unexpected redirect"),
    Row("devicecode-50mb-body", UNAVAIL, faults=on("devicecode", huge_body_mb=50), log="response too large"),
    # The IdP fails while the person signs in (faults switched on once the code is shown).
    Row("token-hang-mid-login", UNAVAIL, faults=on("token", hang=True), after_code=True, approve=True,
        log=TIMED_OUT, min_seconds=HTTP_TIMEOUT - 0.5),
    Row("token-slow-bytes", UNAVAIL, faults=on("token", slow_bytes=True), after_code=True, approve=True,
        log=TIMED_OUT, min_seconds=HTTP_TIMEOUT - 0.5),
    Row("token-500", UNAVAIL, faults=on("token", status=500), after_code=True, approve=True, log="HTTP 500"),
    Row("token-502", UNAVAIL, faults=on("token", status=502), after_code=True, approve=True, log="HTTP 502"),
    Row("token-503-retry-after", UNAVAIL, faults=on("token", status=503, retry_after=30), after_code=True,
        approve=True, log="HTTP 503"),
    # 429 once with a short Retry-After: waited for (at least 2 s), then the login goes on.
    Row("token-429-once-then-approved", "PAM_SUCCESS", faults=on("token", status=429, retry_after=2, times=1),
        after_code=True, approve=True, min_seconds=2.0, bound=2 + ONE_REQUEST),
    # 429 with a Retry-After beyond login_timeout: not waited for, reported at once.
    Row("token-429-retry-after-too-long", UNAVAIL, faults=on("token", status=429, retry_after=3600),
        after_code=True, approve=True, log="Retry-After 3600 s does not fit"),
    # 429 without Retry-After, for ever: backed off (1, 2, 4, 8 s... plus jitter, 1 s interval
    # here), at most two polls per Enter, and reported as throttled once the next wait does not
    # fit before login_timeout (test_throttling.py has the per-Enter rule).
    Row("token-429-no-retry-after-persistent", UNAVAIL, faults=on("token", status=429), after_code=True,
        approve=True, login_timeout=10, bound=10 + MARGIN, log="reason=idp-throttled", max_token_requests=5),
    Row("token-drop-connection", UNAVAIL, faults=on("token", drop_connection=True), after_code=True, approve=True,
        log="unavailable during the device flow"),
    Row("token-malformed-json", UNAVAIL, faults=on("token", malformed_json=True), after_code=True, approve=True,
        log="not JSON"),
    Row("token-truncated-json", UNAVAIL, faults=on("token", truncated_json=True), after_code=True, approve=True,
        log="not JSON"),
    Row("token-redirect-other-host", UNAVAIL, faults=on("token", redirect_to="https://attacker.invalid/token"),
        after_code=True, approve=True, log="unexpected redirect"),
    Row("token-50mb-body", UNAVAIL, faults=on("token", huge_body_mb=50), after_code=True, approve=True,
        log="response too large"),
    # Discovery works; the signing keys do not.
    Row("keys-503", UNAVAIL, faults=on("keys", status=503), approve=True, log="HTTP 503"),
    Row("keys-hang", UNAVAIL, faults=on("keys", hang=True), approve=True, log=TIMED_OUT,
        min_seconds=HTTP_TIMEOUT - 0.5),
    Row("keys-malformed-json", UNAVAIL, faults=on("keys", malformed_json=True), approve=True,
        log="signing keys unusable"),
    Row("keys-50mb-body", UNAVAIL, faults=on("keys", huge_body_mb=50), approve=True, log="response too large"),
    # Valid JSON, the real kids, unusable n/e/x5c: no key is taken, nothing is verified against
    # garbage, and the login cannot go on (the IdP's fault, not the person's): unavailable.
    Row("keys-garbage", UNAVAIL, faults={"keys_garbage": True}, approve=True, log="no usable signing key"),
]


# ---------------------------------------------------------------------------------------------
# Servers the emulator cannot be


class StallServer:
    """Accepts TCP connections and never sends a byte: the TLS handshake stalls."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held = []
        self.accepted = 0
        self.closing = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.closing:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            self.held.append(conn)

    def close(self):
        self.closing = True
        self.sock.close()
        for c in self.held:
            c.close()


def refused_port():
    """A loopback port nothing listens on (bound, then closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture(scope="module")
def cert_emulators():
    """Emulators serving a wrong-host and an expired certificate (each signed by its own CA)."""
    from emulator_proc import Emulator
    emus = {}
    try:
        for mode in ("wrong-host", "expired"):
            emus[mode] = Emulator(cert_mode=mode).start()
        yield emus
    finally:
        for e in emus.values():
            e.cleanup()


@pytest.fixture
def stall_server():
    s = StallServer()
    yield s
    s.close()


def configure(env, row, request):
    """Points env's config at the row's server; returns the emulator to drive, if any."""
    base = {"http_timeout": str(HTTP_TIMEOUT), "login_timeout": str(row.login_timeout)}
    if row.target == "refused":
        env.write_config(idp=dict(base, url=f"https://127.0.0.1:{refused_port()}/{TENANT}"))
        return None
    if row.target == "dns":
        env.write_config(idp=dict(base, url=f"https://login.jcfed-test.invalid/{TENANT}"))
        return None
    if row.target == "stall":
        stall = request.getfixturevalue("stall_server")
        env.write_config(idp=dict(base, url=f"https://127.0.0.1:{stall.port}/{TENANT}"))
        env.stall = stall
        return None
    if row.target in ("wrong-host", "expired-cert"):
        emu = request.getfixturevalue("cert_emulators")["wrong-host" if row.target == "wrong-host" else "expired"]
        env.write_config(idp=dict(base, url=emu.authority(TENANT), ca_file=emu.ca_path))
        return None  # not driven: its control API has the same certificate
    emu = env.emulator
    ca = None if row.target == "untrusted-ca" else emu.ca_path
    env.write_config(idp=dict(base, url=emu.authority(TENANT), ca_file=ca))
    return emu


def non_control_requests(emu):
    return [r for r in emu.requests() if not r["path"].startswith("/_control/")]


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_fault(idp, request, row):
    emu = configure(idp, row, request)
    if row.target in ("emulator", "untrusted-ca"):
        emu.reset()
        if row.faults and not row.after_code:
            emu.faults(**row.faults)

    def on_code(user_code):
        if row.after_code:
            emu.faults(**row.faults)
        if row.approve:
            emu.approve(ALICE, user_code=user_code)

    run = interactive_login(idp, "alice", on_code, op="auth", timeout=row.bound + 30)
    detail = f"{row.name}: {run.seconds:.2f}s\n{run.output}\n{run.log}"
    assert run.codes.get("auth") == row.expect, detail
    assert run.seconds < row.bound, f"took longer than {row.bound}s: " + detail
    assert run.seconds >= row.min_seconds, f"ended before {row.min_seconds}s: " + detail
    if row.log:
        assert row.log in run.log, detail
    if row.expect != "PAM_SUCCESS":
        assert "Signed in" not in run.output, detail
        # The person is told in one sentence; nothing from the server's body reaches them.
        if row.expect == UNAVAIL:
            assert "The sign-in service cannot be reached" in run.output, detail
        for fragment in ("AADSTS", "<html>", "error_description", "padding"):
            assert fragment not in run.output, detail
    if row.target == "stall":
        assert idp.stall.accepted >= 1
    if emu is not None and row.target == "emulator" and row.expect != "PAM_SUCCESS":
        # A failure ends the login: no retry storm against a struggling IdP.
        reqs = non_control_requests(emu)
        tokens = [r for r in reqs if r["path"].endswith("/oauth2/v2.0/token")]
        assert len(tokens) <= row.max_token_requests, reqs
        assert len(reqs) - len(tokens) <= 4, reqs  # discovery, devicecode, keys: once each


def test_key_rotation_mid_login_refreshes_keys_once(idp):
    """The keys are cached by a first login; the IdP rolls its keys while the second person signs
    in; the ID token names the new kid: the module fetches the JWK Set once more and succeeds."""
    emu = idp.emulator
    idp.write_config(idp={"url": emu.authority(TENANT), "ca_file": emu.ca_path,
                          "http_timeout": str(HTTP_TIMEOUT), "login_timeout": str(LOGIN_TIMEOUT)})
    first = interactive_login(idp, "alice", lambda c: emu.approve(ALICE, user_code=c), op="auth")
    assert first.codes["auth"] == "PAM_SUCCESS", first.output + first.log
    old_kids = set(emu.control("GET", "info")["kids"])
    before = len(non_control_requests(emu))

    def rotate_then_approve(code):
        emu.rotate_keys()
        emu.approve(ALICE, user_code=code)

    run = interactive_login(idp, "alice", rotate_then_approve, op="auth", timeout=60)
    assert run.codes["auth"] == "PAM_SUCCESS", run.output + run.log
    assert run.seconds < 2 * HTTP_TIMEOUT + MARGIN
    assert "fetching the JWK Set again" in run.log
    second = non_control_requests(emu)[before:]
    keys = [r for r in second if r["path"].endswith("/discovery/v2.0/keys")]
    discovery = [r for r in second if "openid-configuration" in r["path"]]
    assert len(keys) == 1, second
    assert discovery == [], second  # still fresh in the cache
    assert not old_kids & set(emu.control("GET", "info")["kids"])  # an emergency roll: both keys new
