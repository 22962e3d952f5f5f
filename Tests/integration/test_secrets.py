"""No secret leaves the module. Full logins through real libpam; afterwards
everything the module wrote (syslog through PAMRUN_SYSLOG, the conversation, stderr, the cache
and state directories) is searched for the device code, the ID and access tokens, the client
secret and what the person typed. None may appear. Cache and state files must be root-only.

Where the secrets come from: the emulator never echoes a device code or token (by design). So
the module reaches the emulator through `idp.proxy`, a recording proxy of the test's own: it
answers CONNECT, ends the module's TLS with a certificate from its own CA (the one the config
trusts), opens its own TLS connection to the emulator (verified against the emulator's CA) and
keeps every byte that passes. The device code, the tokens and the client secret are read out of
that record, exactly as the module received or sent them; the test fails if a login did not
actually carry them (an empty search proves nothing). What the person types is a marker string
(`typed-by-user-7731-N`) answered to every prompt instead of an empty Enter.
"""
import json
import os
import pathlib
import re
import select
import socket
import ssl
import stat
import subprocess
import threading

import pytest

import conftest
from conftest import TENANT

MARKER = "typed-by-user-7731"


# ---------------------------------------------------------------------------------------------
# The recording proxy


def make_ca(workdir):
    """A throwaway CA and a server certificate for 127.0.0.1 signed by it (openssl CLI)."""
    d = pathlib.Path(workdir)
    def ossl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)
    ossl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
         "-out", "ca.pem", "-days", "2", "-subj", "/CN=jcfed test recording proxy CA",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    ossl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "leaf.key",
         "-out", "leaf.csr", "-subj", "/CN=127.0.0.1")
    (d / "leaf.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\n"
                                "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
    ossl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
         "-out", "leaf.pem", "-days", "2", "-extfile", "leaf.ext")
    return d / "ca.pem", d / "leaf.pem", d / "leaf.key"


class RecordingProxy:
    """An HTTP CONNECT proxy that terminates TLS (man in the middle, for tests only)."""

    def __init__(self, workdir, upstream_ca):
        self.ca_path, cert, key = make_ca(workdir)
        self.server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server_ctx.load_cert_chain(cert, key)
        self.client_ctx = ssl.create_default_context(cafile=str(upstream_ca))
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(32)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.sent = bytearray()      # module -> IdP, decrypted
        self.received = bytearray()  # IdP -> module, decrypted
        self.tunnels = 0
        self.closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def close(self):
        self.closing = True
        self.sock.close()

    def clear(self):
        with self.lock:
            self.sent.clear()
            self.received.clear()

    def _accept(self):
        while not self.closing:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(conn,), daemon=True).start()

    def _tunnel(self, conn):
        try:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            method, target, _ = head.split(b"\r\n", 1)[0].split(b" ", 2)
            if method != b"CONNECT":
                conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            host, port = target.decode().rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)), timeout=10)
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            client = self.server_ctx.wrap_socket(conn, server_side=True)
            server = self.client_ctx.wrap_socket(upstream, server_hostname=host)
            self.tunnels += 1
            self._pump(client, server)
        except (OSError, ValueError, ssl.SSLError):
            pass
        finally:
            conn.close()

    def _pump(self, client, server):
        # One thread per tunnel, select() plus pending(): an SSL object must not be read and
        # written from two threads at once.
        peers = {client: (server, self.sent), server: (client, self.received)}
        for s in peers:
            s.setblocking(True)
        while True:
            ready = [s for s in peers if s.pending()]
            if not ready:
                ready, _, _ = select.select(list(peers), [], [], 60)
                if not ready:
                    return
            for s in ready:
                other, record = peers[s]
                try:
                    data = s.recv(65536)
                except ssl.SSLWantReadError:
                    continue
                if not data:
                    return
                with self.lock:
                    record.extend(data)
                other.sendall(data)

    # what passed through -------------------------------------------------------------------

    def json_values(self, name, direction="received"):
        text = bytes(self.received if direction == "received" else self.sent).decode("latin-1")
        return sorted(set(re.findall(r'"%s"\s*:\s*"([^"]+)"' % re.escape(name), text)))

    def form_values(self, name):
        text = bytes(self.sent).decode("latin-1")
        return sorted(set(re.findall(r"(?:^|[&\n])%s=([^&\s]+)" % re.escape(name), text)))


# ---------------------------------------------------------------------------------------------
# Fixtures and a login that types something


@pytest.fixture(scope="module")
def proxy(emulator, tmp_path_factory):
    p = RecordingProxy(tmp_path_factory.mktemp("proxy"), emulator.ca_path)
    yield p
    p.close()


@pytest.fixture
def world(idp, proxy):
    """idp configured to reach the emulator through the recording proxy (and trust only its CA)."""
    proxy.clear()
    idp.proxy = proxy
    idp.configure = lambda **over: idp.write_config(idp={
        "url": idp.emulator.authority(TENANT), "ca_file": str(proxy.ca_path), "proxy": proxy.url,
        "http_timeout": "5", "login_timeout": "30", **over})
    idp.configure()
    return idp


def typing_login(env, user, on_code, args=(), timeout=90):
    """conftest.interactive_login that answers every prompt with a marker the person 'typed'
    (the module must ignore it and never repeat it anywhere), through the recording proxy.
    pamrun's stderr is merged into the conversation stream, so searching `out` covers it; the
    stderr slot stays for the places table."""
    run = conftest.interactive_login(
        env, user, on_code, args=args, timeout=timeout, answer=lambda n: f"{MARKER}-{n}",
        # The proxy is the point: loopback must not bypass it.
        extra_env={"NO_PROXY": "", "no_proxy": ""})
    return run.codes, run.output, "", run.log, run.typed


# ---------------------------------------------------------------------------------------------
# The search


def secrets_seen(proxy, typed, client_secret=None):
    """Every secret the login carried, by name; fails when a login did not carry what it should."""
    found = {}
    for i, v in enumerate(proxy.json_values("device_code")):
        found[f"device_code#{i}"] = v
    for i, v in enumerate(proxy.form_values("device_code")):
        found[f"device_code(sent)#{i}"] = v
    for name in ("id_token", "access_token", "refresh_token"):
        for i, v in enumerate(proxy.json_values(name)):
            found[f"{name}#{i}"] = v
            # A token's parts on their own (a log line could carry one segment).
            for j, seg in enumerate(v.split(".")):
                if len(seg) >= 16:
                    found[f"{name}#{i}.segment{j}"] = seg
    if client_secret:
        found["client_secret"] = client_secret
    for i, t in enumerate(typed):
        found[f"typed#{i}"] = t
    found["typed-marker"] = MARKER
    # Long secrets are also searched by a middle slice: a truncated copy is still a leak.
    for name, v in list(found.items()):
        if len(v) >= 40:
            found[name + "[middle]"] = v[len(v) // 2 - 12: len(v) // 2 + 12]
    return found


def written_by_module(env, conversation, stderr, log):
    """Everything the module could have written: name -> text."""
    places = {"syslog": log, "conversation": conversation, "stderr": stderr}
    for top in (env.cache, env.state):
        if not top.exists():
            continue
        for root, _, files in os.walk(top):
            for f in files:
                p = pathlib.Path(root) / f
                places[str(p)] = p.read_bytes().decode("latin-1")
    return places


def assert_nothing_leaked(secrets, places):
    leaks = [(s, where) for s, value in secrets.items() for where, text in places.items() if value in text]
    assert not leaks, f"secrets found: {leaks}"


def assert_root_only(env):
    """The cache directory is 0700; the state directory is root's and not writable by others
    (it may be 0755: it also holds the directory file), the pin store inside it is 0700; every
    file the module wrote is 0600."""
    assert stat.S_IMODE(os.stat(env.cache).st_mode) == 0o700, oct(os.stat(env.cache).st_mode)
    if env.state.exists():
        assert stat.S_IMODE(os.stat(env.state).st_mode) & 0o022 == 0, oct(os.stat(env.state).st_mode)
    for top in (env.cache, env.state):
        if not top.exists():
            continue
        for root, dirs, files in os.walk(top):
            for d in dirs:
                mode = stat.S_IMODE(os.stat(os.path.join(root, d)).st_mode)
                assert mode == 0o700, (d, oct(mode))
            for f in files:
                mode = stat.S_IMODE(os.lstat(os.path.join(root, f)).st_mode)
                assert mode == 0o600, (f, oct(mode))


# ---------------------------------------------------------------------------------------------
# The logins


def approve(env, upn="alice@contoso.com"):
    return lambda code: env.emulator.approve(upn, user_code=code)


SCENARIOS = {
    # name: (module args, emulator faults, who approves, expected auth code, tokens must pass)
    "success-debug": (("debug",), {}, "approve", "PAM_SUCCESS", True),
    "success": ((), {}, "approve", "PAM_SUCCESS", True),
    "declined-debug": (("debug",), {}, "decline", "PAM_AUTH_ERR", False),
    "bad-token-debug": (("debug",), {"token_fault": "tampered_signature"}, "approve", "PAM_AUTH_ERR", True),
    "wrong-audience-debug": (("debug",), {"token_fault": "wrong_aud"}, "approve", "PAM_AUTH_ERR", True),
    "other-user-debug": (("debug",), {}, "approve-bob", "PAM_AUTH_ERR", True),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_no_secret_is_written(world, name):
    args, faults, who, expected, with_tokens = SCENARIOS[name]
    emu = world.emulator
    emu.faults(interval=1, **faults)
    on_code = {"approve": approve(world), "approve-bob": approve(world, "bob@contoso.com"),
               "decline": lambda code: emu.decline(user_code=code)}[who]
    codes, out, err, log, typed = typing_login(world, "alice", on_code, args=args)
    assert codes.get("auth") == expected, out + err + log
    assert world.proxy.tunnels >= 1
    secrets = secrets_seen(world.proxy, typed)
    # The search is only worth something if the secrets really passed by.
    assert any(k.startswith("device_code#") for k in secrets), secrets.keys()
    assert any(k.startswith("device_code(sent)") for k in secrets), secrets.keys()
    if with_tokens:
        assert any(k.startswith("id_token#") for k in secrets) and any(k.startswith("access_token#") for k in secrets)
    assert typed, out
    if "debug" in args:
        assert "SYSLOG 7" in log, log  # debug lines were written, and searched
    if expected == "PAM_SUCCESS":
        # The pin written by this login is among the files searched and mode-checked.
        assert any((world.state / "pins").iterdir()), "no pin was written"
    assert_nothing_leaked(secrets, written_by_module(world, out, err, log))
    assert_root_only(world)


@pytest.mark.parametrize("secret_ok", [True, False], ids=["right-secret", "wrong-secret"])
def test_client_secret_is_never_written(world, secret_ok):
    from emulator_proc import CONFIDENTIAL_CLIENT, CONFIDENTIAL_SECRET
    secret = CONFIDENTIAL_SECRET if secret_ok else "wrong-" + CONFIDENTIAL_SECRET[::-1]
    path = world.etc / "client_secret"
    path.write_text(secret + "\n")
    os.chmod(path, 0o600)
    world.configure(client_id=CONFIDENTIAL_CLIENT, client_secret_file=str(path))
    world.emulator.faults(interval=1)
    codes, out, err, log, typed = typing_login(world, "alice", approve(world), args=("debug",))
    if secret_ok:
        assert codes.get("auth") == "PAM_SUCCESS", out + err + log
    else:
        assert codes.get("auth") == "PAM_SERVICE_ERR", out + err + log
        assert "AADSTS7000215" in log, log
    sent = bytes(world.proxy.sent).decode("latin-1")
    assert "client_secret=" in sent  # it was used on the wire, so the search below means something
    secrets = secrets_seen(world.proxy, typed, client_secret=secret)
    assert_nothing_leaked(secrets, written_by_module(world, out, err, log))
    assert_root_only(world)


def test_the_search_finds_a_planted_secret():
    """The search itself: a secret planted in any place is reported (the suite cannot pass by
    searching for the wrong thing)."""
    class Record:
        received = bytearray(b'{"device_code":"DAQABAAEAAAD-secret-device-code-0123456789","id_token":"'
                             b'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZS1wYXlsb2FkLXNlZ21lbnQifQ.c2lnbmF0dXJlLXNlZ21lbnQtYnl0ZXM"}')
        sent = bytearray(b"client_id=x&device_code=DAQABAAEAAAD-secret-device-code-0123456789&grant_type=y")
        json_values = RecordingProxy.json_values
        form_values = RecordingProxy.form_values
    secrets = secrets_seen(Record(), [f"{MARKER}-1"], client_secret="s3cret~value")
    for value in ("DAQABAAEAAAD-secret-device-code-0123456789", "c2lnbmF0dXJlLXNlZ21lbnQtYnl0ZXM", "s3cret~value",
                  f"{MARKER}-1"):
        with pytest.raises(AssertionError):
            assert_nothing_leaked(secrets, {"syslog": f"SYSLOG 7 PAM something {value} else"})
    with pytest.raises(AssertionError):  # a truncated copy of a long secret
        assert_nothing_leaked(secrets, {"syslog": "DAQABAAEAAAD-secret-device-code-012"})
    assert_nothing_leaked(secrets, {"syslog": "SYSLOG 6 PAM auth done: user=alice result=success"})
