"""A JumpCloud API emulator for tests: HTTPS on 127.0.0.1 with its own test CA, serving the
shapes `jcfed directory sync` reads, with faults to switch on.

API key endpoints (header `x-api-key`, optional `x-org-id`):
  GET /api/systemusers?limit=&skip=&sort=        {"results":[...], "totalCount": N}  (v1)
  GET /api/v2/usergroups?limit=&skip=            [{"id","name","type":"user_group"}]
  GET /api/v2/usergroups/{id}/members?limit=&skip=
                                                 [{"from":{...},"to":{"id","type":"user"},"attributes":null}]
System Context endpoint (HTTP signature with the device's key, no API key):
  GET /api/v2/systems/{systemKey}/users?limit=&skip=
                                                 [{"id","type":"user","compiledAttributes":{},"paths":[...]}]
  The emulator verifies `Authorization: Signature keyId="system/<key>",headers="request-line date",
  algorithm="rsa-sha256",signature="<b64>"` over "<METHOD> <target> HTTP/1.1\\ndate: <Date>" with the
  system's public key, and a `Date` within `date_window` seconds (default 300) of its clock.

Faults (`faults` dict, or POST /_control/faults): each counter applies to the next N requests under
`fault_path` (default "/api/"), then switches itself off:
  rate_limit: N        429 with `Retry-After: retry_after` (default 1)
  server_errors: N     503
  malformed: N         200 with a body that is not JSON
  interrupt: N         Content-Length larger than the body, then the connection is closed
  clock_offset: S      the emulator's clock runs S seconds ahead (stale Date test)
  wrong_total: K       /api/systemusers reports totalCount + K (a list that changes while paging)
  total_drift: K       /api/systemusers reports totalCount + K * page number (changes on every page)
  wrong_header_total: K  v2 lists report x-total-count + K
v2 lists send `x-total-count` (as JumpCloud does). A system's fixture entry may have
`bound_group_ids`: the members of those groups are bound through the group, and
/api/v2/systems/{id}/users answers each user once with one path per binding (multi-hop
[group, user] paths for group bindings), as the real endpoint does.

Use in-process (`with JumpCloudEmulator(state_dir, fixture) as jc: ...`) or as a program:
  python3 jumpcloud_emulator.py --state-dir DIR --fixture FILE [--port 0] [--host 127.0.0.1]
which writes DIR/ca.pem, DIR/server.pem, DIR/server.key and, last and atomically, DIR/port, and serves
until SIGTERM. Control API: POST /_control/faults {...}, GET /_control/requests, POST /_control/reset.
"""
import argparse
import base64
import datetime
import email.utils
import json
import os
import pathlib
import re
import signal
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
import ipaddress

DEFAULT_PAGE = 10   # JumpCloud's default limit
MAX_PAGE = 100      # JumpCloud's maximum limit


# ---------------------------------------------------------------------------------------------
# Fixtures

def user_id(i):
    return f"5f1b{i:020x}"


def make_user(i, username=None, email=None, **overrides):
    """A v1 systemuser record as JumpCloud returns it, with the fields jcfed ignores too."""
    name = username or f"user{i}"
    rec = {
        "_id": user_id(i), "id": user_id(i), "username": name, "email": email or f"{name}@contoso.com",
        "firstname": name.capitalize(), "lastname": "Test", "displayname": name.capitalize(),
        "activated": True, "suspended": False, "account_locked": False, "state": "ACTIVATED",
        "unix_uid": 5000 + i, "unix_guid": 5000 + i, "sudo": False, "mfa": {"configured": False},
        "phoneNumbers": [{"type": "mobile", "number": "+1 555 0100"}], "addresses": [], "attributes": [],
        "created": "2024-01-01T00:00:00.000Z",
    }
    rec.update(overrides)
    return rec


def default_fixture(n_users=250, api_key="test-api-key-0123456789"):
    users = [make_user(i) for i in range(n_users)]
    return {
        "api_key": api_key,
        "org_id": None,
        "users": users,
        "groups": [
            {"id": "aaaa00000000000000000001", "name": "Engineering",
             "members": [u["_id"] for u in users[0::2]]},
            {"id": "aaaa00000000000000000002", "name": "Sales", "members": [u["_id"] for u in users[1:4]]},
        ],
        "systems": [],
        "date_window": 300,
    }


def write_directory(path, users, bound_user_ids=None, synced_at=None, source="api"):
    """Writes a directory file as jcfed reads it (mapping.directory), for libpam tests.

    `users`: dicts with at least `username`; `email` defaults to <username>@contoso.com, `groups`
    (JumpCloud group names) to [], `_id` to a stable id from the username, and `activated`,
    `suspended`, `account_locked`, `state` to an active user. Returns {username: _id}.
    """
    results, ids = [], {}
    for u in users:
        name = u["username"]
        uid = u.get("_id") or ("5f1b" + name.encode().hex())[:24].ljust(24, "0")
        ids[name] = uid
        results.append({
            "_id": uid, "username": name, "email": u.get("email", f"{name}@contoso.com"),
            "activated": u.get("activated", True), "suspended": u.get("suspended", False),
            "account_locked": u.get("account_locked", False),
            "state": u.get("state", "SUSPENDED" if u.get("suspended") else "ACTIVATED"),
            "unix_uid": u.get("unix_uid"), "jcfed_groups": list(u.get("groups", [])),
        })
    bound = None if bound_user_ids is None else [ids.get(b, b) for b in bound_user_ids]
    now = int(time.time()) if synced_at is None else synced_at
    doc = {"totalCount": len(results),
           "jcfed": {"version": 1, "source": source, "synced_at": now, "bound_user_ids": bound,
                     "bindings_synced_at": now if bound is not None else None},
           "results": results}
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1))
    os.chmod(path, 0o600)
    return ids


# ---------------------------------------------------------------------------------------------
# TLS

def make_tls(state_dir: pathlib.Path):
    """A test CA and a server certificate for 127.0.0.1 / localhost, written as PEM files."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jcfed test JumpCloud CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (state_dir / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path = state_dir / "server.key"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    os.chmod(key_path, 0o600)
    return state_dir / "ca.pem", state_dir / "server.pem", key_path


# ---------------------------------------------------------------------------------------------
# HTTP signatures (draft-cavage), as the System Context API uses them

SIG_FIELD = re.compile(r'\s*([A-Za-z]+)="([^"]*)"\s*(?:,|$)')


def parse_signature_header(value):
    if not value or not value.startswith("Signature "):
        return None
    rest = value[len("Signature "):]
    fields, pos = {}, 0
    while pos < len(rest):
        m = SIG_FIELD.match(rest, pos)
        if not m or m.group(1) in fields:
            return None
        fields[m.group(1)] = m.group(2)
        pos = m.end()
    return fields


def sign_request(private_key, method, target, date):
    """What a correct client sends; used by tests to probe the verifier."""
    text = f"{method} {target} HTTP/1.1\ndate: {date}".encode()
    return base64.b64encode(private_key.sign(text, padding.PKCS1v15(), hashes.SHA256())).decode()


def http_date(t=None):
    return email.utils.formatdate(t if t is not None else time.time(), usegmt=True)


# ---------------------------------------------------------------------------------------------
# The server

class JumpCloudEmulator:
    def __init__(self, state_dir, fixture=None, host="127.0.0.1", port=0):
        self.state_dir = pathlib.Path(state_dir)
        self.fixture = fixture or default_fixture()
        self.host, self.port = host, port
        self.faults = {}
        self.requests = []
        self.lock = threading.Lock()
        self.server = None
        self.thread = None
        self.ca_path = None

    # -- lifecycle

    def start(self):
        self.ca_path, cert, key = make_tls(self.state_dir)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(cert, key)
        emulator = self

        class Handler(JumpCloudHandler):
            emu = emulator

        self.server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.server.daemon_threads = True
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return f"https://{self.host}:{self.port}"

    # -- helpers for tests

    def set_faults(self, **faults):
        with self.lock:
            self.faults = dict(faults)

    def reset(self):
        with self.lock:
            self.faults = {}
            self.requests = []

    def requests_to(self, prefix):
        with self.lock:
            return [r for r in self.requests if r["path"].startswith(prefix)]

    def add_system(self, system_key, public_key_pem, bound_user_ids, bound_group_ids=()):
        self.fixture["systems"] = [s for s in self.fixture["systems"] if s["systemKey"] != system_key]
        self.fixture["systems"].append({"systemKey": system_key, "public_key_pem": public_key_pem,
                                        "bound_user_ids": list(bound_user_ids),
                                        "bound_group_ids": list(bound_group_ids)})

    def take_fault(self, name, path):
        """True when fault `name` applies to this request (and counts it down)."""
        with self.lock:
            n = self.faults.get(name, 0)
            if n <= 0 or not path.startswith(self.faults.get("fault_path", "/api/")):
                return False
            self.faults[name] = n - 1
            return True

    def now(self):
        return time.time() + self.faults.get("clock_offset", 0)


class JumpCloudHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    emu: JumpCloudEmulator = None

    def log_message(self, *args):
        pass

    # -- plumbing

    def record(self, status, note=""):
        parts = urlsplit(self.path)
        with self.emu.lock:
            self.emu.requests.append({
                "t_ms": int(time.monotonic() * 1000), "method": self.command, "path": parts.path,
                "query": {k: v[0] for k, v in parse_qs(parts.query).items()}, "status": status, "note": note,
                "has_api_key": "x-api-key" in self.headers, "org_id": self.headers.get("x-org-id"),
                "date": self.headers.get("Date"), "signed": "Authorization" in self.headers,
            })

    def send_json(self, status, obj, note="", extra_headers=None):
        body = json.dumps(obj).encode()
        self.send_body(status, body, note=note, extra_headers=extra_headers)

    def send_body(self, status, body, note="", extra_headers=None, content_length=None):
        self.record(status, note)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(content_length if content_length is not None else len(body)))
        for k, v in (extra_headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def query(self):
        q = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        try:
            limit = int(q.get("limit", DEFAULT_PAGE))
            skip = int(q.get("skip", 0))
        except ValueError:
            return None, None, q
        if limit < 1 or limit > MAX_PAGE or skip < 0:
            return None, None, q
        return limit, skip, q

    def fault(self, path):
        """Sends a faulty answer when a fault applies; True if it did."""
        emu = self.emu
        if emu.take_fault("rate_limit", path):
            self.send_json(429, {"message": "Too Many Requests"}, note="fault:rate_limit",
                           extra_headers={"Retry-After": str(emu.faults.get("retry_after", 1))})
            return True
        if emu.take_fault("server_errors", path):
            self.send_json(503, {"message": "Service Unavailable"}, note="fault:server_error")
            return True
        if emu.take_fault("malformed", path):
            self.send_body(200, b'{"results": [{"_id": "5f1b", "username": ', note="fault:malformed")
            return True
        if emu.take_fault("interrupt", path):
            body = b'{"results": [' + b" " * 200
            self.send_body(200, body, note="fault:interrupt", content_length=len(body) + 5000)
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.unwrap()  # TLS close_notify, then the socket closes: a short body
            except (OSError, ValueError):
                pass
            return True
        return False

    # -- routes

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/_control/requests":
            with self.emu.lock:
                reqs = list(self.emu.requests)
            body = json.dumps(reqs).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        m = re.fullmatch(r"/api/v2/systems/([^/]+)/users", path)
        if m:
            return self.system_users(m.group(1))
        if path.startswith("/api/v2/systems/"):
            return self.send_json(401, {"message": "Unauthorized"}, note="system-context:not-allowed")
        if not path.startswith("/api/"):
            return self.send_json(404, {"message": "Not Found"})
        if not self.api_key_ok():
            return self.send_json(401, {"message": "Unauthorized"}, note="bad-api-key")
        if self.fault(path):
            return
        if path == "/api/systemusers":
            return self.system_users_v1()
        if path == "/api/v2/usergroups":
            return self.user_groups()
        m = re.fullmatch(r"/api/v2/usergroups/([0-9a-f]+)/members", path)
        if m:
            return self.group_members(m.group(1))
        return self.send_json(404, {"message": "Not Found"})

    def do_POST(self):
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}") if length else {}
        if path == "/_control/faults":
            self.emu.set_faults(**body)
        elif path == "/_control/reset":
            self.emu.reset()
        else:
            return self.send_json(404, {"message": "Not Found"})
        data = b"{}"
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def api_key_ok(self):
        fx = self.emu.fixture
        if self.headers.get("x-api-key") != fx["api_key"]:
            return False
        org = fx.get("org_id")
        return org is None or self.headers.get("x-org-id") == org

    def system_users_v1(self):
        limit, skip, q = self.query()
        if limit is None:
            return self.send_json(400, {"message": "bad paging parameters"})
        users = list(self.emu.fixture["users"])
        if q.get("sort") == "_id":
            users.sort(key=lambda u: u["_id"])
        total = len(users) + self.emu.faults.get("wrong_total", 0) + self.emu.faults.get("total_drift", 0) * (skip // limit)
        self.send_json(200, {"results": users[skip:skip + limit], "totalCount": total},
                       note=f"sort={q.get('sort')}")

    def user_groups(self):
        limit, skip, _ = self.query()
        if limit is None:
            return self.send_json(400, {"message": "bad paging parameters"})
        groups = [{"id": g["id"], "name": g["name"], "type": "user_group",
                   "attributes": None, "description": ""} for g in self.emu.fixture["groups"]]
        self.send_v2_list(groups, skip, limit)

    def send_v2_list(self, entries, skip, limit, note=""):
        total = len(entries) + self.emu.faults.get("wrong_header_total", 0)
        self.send_json(200, entries[skip:skip + limit], note=note, extra_headers={"x-total-count": str(total)})

    def group_members(self, gid):
        limit, skip, _ = self.query()
        if limit is None:
            return self.send_json(400, {"message": "bad paging parameters"})
        group = next((g for g in self.emu.fixture["groups"] if g["id"] == gid), None)
        if group is None:
            return self.send_json(404, {"message": "Not Found"})
        members = [{"from": {"id": gid, "type": "user_group", "attributes": None},
                    "to": {"id": uid, "type": "user", "attributes": None}, "attributes": None}
                   for uid in group["members"]]
        self.send_v2_list(members, skip, limit)

    # -- System Context

    def system_users(self, system_key):
        problem, system = self.verify_signature(system_key)
        if problem:
            return self.send_json(401, {"message": "Unauthorized"}, note="signature:" + problem)
        if self.fault(urlsplit(self.path).path):
            return
        limit, skip, _ = self.query()
        if limit is None:
            return self.send_json(400, {"message": "bad paging parameters"})
        paths = {}
        for uid in system["bound_user_ids"]:
            paths.setdefault(uid, []).append([{"attributes": None, "to": {"attributes": None, "id": uid, "type": "user"}}])
        for gid in system.get("bound_group_ids", []):
            group = next((g for g in self.emu.fixture["groups"] if g["id"] == gid), None)
            for uid in (group or {}).get("members", []):
                paths.setdefault(uid, []).append([
                    {"attributes": None, "to": {"attributes": None, "id": gid, "type": "user_group"}},
                    {"attributes": None, "to": {"attributes": None, "id": uid, "type": "user"}}])
        entries = [{"id": uid, "type": "user", "compiledAttributes": {"ldapGroups": []}, "paths": p}
                   for uid, p in paths.items()]
        self.send_v2_list(entries, skip, limit, note="signature:ok")

    def verify_signature(self, system_key):
        """(problem, system): problem is None when the request is properly signed."""
        system = next((s for s in self.emu.fixture["systems"] if s["systemKey"] == system_key), None)
        if system is None:
            return "unknown-system", None
        if "x-api-key" in self.headers:
            return "api-key-not-allowed", None
        fields = parse_signature_header(self.headers.get("Authorization"))
        if not fields:
            return "no-signature", None
        if fields.get("keyId") != f"system/{system_key}":
            return "wrong-keyid", None
        if fields.get("headers") != "request-line date" or fields.get("algorithm") != "rsa-sha256":
            return "wrong-parameters", None
        date = self.headers.get("Date")
        if not date:
            return "no-date", None
        try:
            when = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            return "bad-date", None
        if abs(self.emu.now() - when) > self.emu.fixture.get("date_window", 300):
            return "stale-date", None
        try:
            signature = base64.b64decode(fields.get("signature", ""), validate=True)
        except ValueError:
            return "bad-signature-encoding", None
        text = f"{self.command} {self.path} HTTP/1.1\ndate: {date}".encode()
        key = serialization.load_pem_public_key(system["public_key_pem"].encode())
        try:
            key.verify(signature, text, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return "bad-signature", None
        return None, system


# ---------------------------------------------------------------------------------------------
# As a program

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--fixture")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    fixture = json.loads(pathlib.Path(args.fixture).read_text()) if args.fixture else default_fixture()
    emu = JumpCloudEmulator(args.state_dir, fixture, args.host, args.port).start()
    port_file = pathlib.Path(args.state_dir) / "port"
    tmp = port_file.with_suffix(".tmp")
    tmp.write_text(str(emu.port))
    os.replace(tmp, port_file)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    emu.stop()


if __name__ == "__main__":
    main()
