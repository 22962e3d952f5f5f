"""Start and drive build/jcfed-entra-emulator from tests.

    with Emulator() as emu:                       # DEFAULT_FIXTURE, temp state dir
        authority = emu.authority(TENANT)         # https://127.0.0.1:PORT/<tenant>
        emu.faults(status=503, paths=["token"], times=1)
        emu.approve("alice@contoso.com")          # newest pending code
        emu.requests()                            # [{"t_ms":..,"method":..,"path":..,...}]

TLS is always verified against the emulator's own ca.pem (never switched off).
"""

import copy
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EMULATOR_BIN = os.environ.get("JCFED_EMULATOR", os.path.join(REPO, "build", "jcfed-entra-emulator"))

TENANT = "11111111-2222-3333-4444-555555555555"
PUBLIC_CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
CONFIDENTIAL_CLIENT = "cccccccc-0000-1111-2222-333333333333"
CONFIDENTIAL_SECRET = "s3cret~value.for-tests_only"
OTHER_TENANT = "66666666-7777-8888-9999-000000000000"
OTHER_CLIENT = "dddddddd-0000-1111-2222-444444444444"

ALICE_OID = "0a1b2c3d-0000-4000-8000-00000000a11c"
BOB_OID = "0a1b2c3d-0000-4000-8000-000000000b0b"
CAROL_OID = "0a1b2c3d-0000-4000-8000-0000000ca201"

DEFAULT_FIXTURE = {
    "tenants": [
        {
            "id": TENANT,
            "domains": ["contoso.com", "contoso.onmicrosoft.com"],
            "apps": [
                {"client_id": PUBLIC_CLIENT, "public": True, "secret": None, "name": "jcfed Linux login"},
                {"client_id": CONFIDENTIAL_CLIENT, "public": False, "secret": CONFIDENTIAL_SECRET,
                 "name": "JumpCloud federation"},
            ],
            "users": [
                {"upn": "alice@contoso.com", "oid": ALICE_OID, "email": "alice@contoso.com", "xms_edov": True,
                 "preferred_username": "alice@contoso.com", "name": "Alice Example",
                 "groups": ["5e6f0000-0000-4000-8000-0000000000a1"]},
                {"upn": "bob@contoso.com", "oid": BOB_OID, "email": "bob@contoso.com", "xms_edov": False,
                 "preferred_username": "bob@contoso.com", "name": "Bob Example", "groups": []},
                {"upn": "carol@contoso.com", "oid": CAROL_OID, "preferred_username": "carol@contoso.com",
                 "name": "Carol Example"},
            ],
        },
        {
            "id": OTHER_TENANT,
            "apps": [{"client_id": OTHER_CLIENT, "public": True, "secret": None}],
            "users": [
                {"upn": "mallory@fabrikam.com", "oid": "0a1b2c3d-0000-4000-8000-00000000ba11",
                 "email": "alice@contoso.com", "xms_edov": False, "preferred_username": "alice@contoso.com",
                 "name": "Mallory (claims to be Alice)"},
            ],
        },
    ],
    "interval": 1,
    "expires_in": 900,
}


def default_fixture():
    return copy.deepcopy(DEFAULT_FIXTURE)


class EmulatorError(RuntimeError):
    pass


class Emulator:
    """The emulator as a context manager; `start()`/`stop()` for explicit control."""

    def __init__(self, fixture=None, binary=EMULATOR_BIN, cert_mode="good", host="127.0.0.1", port=0,
                 start_timeout=60.0, workdir=None):
        self.fixture = fixture if fixture is not None else default_fixture()
        self.binary = binary
        self.cert_mode = cert_mode
        self.host = host
        self.requested_port = port
        self.start_timeout = start_timeout
        self._own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="jcfed-emulator-")
        self.state_dir = os.path.join(self.workdir, "state")
        self.log_path = os.path.join(self.workdir, "emulator.log")
        self.proc = None
        self.port = None
        self._log = None
        self._ssl = None

    # lifecycle ---------------------------------------------------------------------------------

    def start(self):
        if not os.access(self.binary, os.X_OK):
            raise EmulatorError(f"emulator binary not found: {self.binary} (run `make emulator`)")
        os.makedirs(self.state_dir, exist_ok=True)
        fixture_path = os.path.join(self.workdir, "fixture.json")
        with open(fixture_path, "w") as f:
            json.dump(self.fixture, f)
        # The log file, not a pipe: a pipe nobody reads fills up and stalls the emulator.
        self._log = open(self.log_path, "ab")
        args = [self.binary, "--state-dir", self.state_dir, "--fixture", fixture_path,
                "--port", str(self.requested_port), "--host", self.host, "--cert-mode", self.cert_mode]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log)
        port_file = os.path.join(self.state_dir, "port")
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise EmulatorError(f"emulator exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                with open(port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    break
            except FileNotFoundError:
                pass
            time.sleep(0.05)
        else:
            self.stop()
            raise EmulatorError(f"emulator did not write {port_file} within {self.start_timeout}s:\n{self.log_text()}")
        self._ssl = ssl.create_default_context(cafile=self.ca_path)
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def cleanup(self):
        self.stop()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()
        return False

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # addresses -----------------------------------------------------------------------------------

    @property
    def ca_path(self):
        return os.path.join(self.state_dir, "ca.pem")

    @property
    def base_url(self):
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"

    def authority(self, tenant=TENANT):
        return f"{self.base_url}/{tenant}"

    @property
    def ssl_context(self):
        return self._ssl

    # HTTP ------------------------------------------------------------------------------------------

    def request(self, method, path, data=None, headers=None, timeout=30):
        """Any request to the emulator; returns (status, headers, body bytes). Errors are answers too."""
        url = path if path.startswith("https://") else self.base_url + path
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, context=self._ssl, timeout=timeout) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def post_form(self, path, fields, timeout=30, headers=None):
        body = urllib.parse.urlencode(fields).encode()
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return self.request("POST", path, body, h, timeout=timeout)

    def control(self, method, path, json_body=None):
        """`/_control/<path>`; returns the decoded JSON answer, raises EmulatorError on a non-2xx."""
        path = path if path.startswith("/_control/") else "/_control/" + path.lstrip("/")
        data = None if json_body is None else json.dumps(json_body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        status, _, body = self.request(method, path, data, headers)
        if status // 100 != 2:
            raise EmulatorError(f"{method} {path} -> {status}: {body.decode(errors='replace')}")
        return json.loads(body)

    def requests(self):
        return self.control("GET", "requests")

    def codes(self):
        return self.control("GET", "codes")

    def approve(self, upn, user_code=None):
        body = {"upn": upn}
        if user_code is not None:
            body["user_code"] = user_code
        return self.control("POST", "approve", body)

    def decline(self, user_code=None):
        return self.control("POST", "decline", {} if user_code is None else {"user_code": user_code})

    def rotate_keys(self, keep_previous=False):
        return self.control("POST", "rotate-keys", {"keep_previous": keep_previous})

    def faults(self, **switches):
        """Replace the fault set (no arguments clears it)."""
        return self.control("POST", "faults", switches)

    def reset(self):
        return self.control("POST", "reset", {})

    def wait_for_pending_code(self, timeout=10.0):
        """The newest pending code record, once a client has asked for one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pending = [c for c in self.codes() if c["status"] == "pending" and not c["expired"]]
            if pending:
                return pending[-1]
            time.sleep(0.1)
        raise EmulatorError("no pending device code appeared")

