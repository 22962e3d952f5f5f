"""Load. 50 logins at once, each its own pamrun process through real libpam,
against one emulator (loopback only), sharing one cache directory and one state directory, as
50 simultaneous ssh logins on one server would.

- all 50 approved logins succeed; the JWKS/discovery cache is consistent afterwards (every file
  parses, root-only modes, no temporary file left behind); the 50 processes fetched discovery
  and keys at most once each, and a second wave with a warm cache fetches neither;
- every login maps through a JumpCloud directory file that all 50 read at once; afterwards the
  pin store holds exactly one complete, root-only pin per account, and the directory file is
  byte for byte what it was;
- the IdP going down (hang, or HTTP 503) after all 50 codes are shown turns every login into
  PAM_AUTHINFO_UNAVAIL within http_timeout plus a margin.

JCFED_SOAK=1 (make soak) runs 5 approved waves instead of 1.
"""
import hashlib
import json
import os
import stat
import threading
import time

import pytest

from conftest import TENANT, interactive_login

N = 50
HTTP_TIMEOUT = 3
MARGIN = 12.0  # 50 processes on 2 cores: TLS handshakes and RSA verifies queue up
WAVES = 5 if os.environ.get("JCFED_SOAK") else 1
UID0 = 3000


def users():
    return [f"login{i}" for i in range(N)]


def load_fixture():
    from emulator_proc import default_fixture
    fixture = default_fixture()
    fixture["interval"] = 1
    fixture["tenants"][0]["users"] += [
        {"upn": f"{u}@contoso.com", "oid": f"0a1b2c3d-0000-4000-8000-{3000 + i:012d}",
         "preferred_username": f"{u}@contoso.com", "name": f"Load user {i}"}
        for i, u in enumerate(users())]
    return fixture


@pytest.fixture(scope="module")
def load_emulator():
    from emulator_proc import Emulator
    with Emulator(load_fixture()) as emu:
        yield emu


def write_directory(env):
    """A JumpCloud directory file naming the 50 users (email -> username), so every login maps
    through it and 50 processes read it at once."""
    records = [{"_id": f"5f1b2c3d4e5f6071829{i:05d}", "username": u, "email": f"{u}@contoso.com",
                "activated": True, "suspended": False, "account_locked": False, "state": "ACTIVATED",
                "unix_uid": UID0 + i, "jcfed_groups": []} for i, u in enumerate(users())]
    doc = {"totalCount": len(records),
           "jcfed": {"version": 1, "source": "api", "synced_at": int(time.time()), "bound_user_ids": None},
           "results": records}
    env.state.mkdir(mode=0o755, exist_ok=True)
    path = env.state / "directory.json"
    path.write_text(json.dumps(doc))
    os.chmod(path, 0o644)
    return path


@pytest.fixture
def load_env(pam_env, load_emulator):
    pam_env.add_users(users(), first_uid=UID0)
    load_emulator.reset()
    pam_env.write_config(idp={"url": load_emulator.authority(TENANT), "ca_file": load_emulator.ca_path,
                              "http_timeout": str(HTTP_TIMEOUT), "login_timeout": "120"})
    pam_env.directory = write_directory(pam_env)
    pam_env.emulator = load_emulator
    return pam_env


def run_all(env, on_code, timeout=180):
    """Starts the 50 logins together; returns {user: (LoginRun, syslog text, end time)}."""
    results, errors = {}, []
    start = threading.Barrier(N)

    def one(user):
        try:
            start.wait(timeout=30)
            log_path = env.base / f"syslog-{user}.txt"
            run = interactive_login(env, user, lambda code: on_code(user, code), op="auth+acct",
                                    timeout=timeout, extra_env={"PAMRUN_SYSLOG": str(log_path)})
            ended = time.monotonic()
            log = log_path.read_text() if log_path.exists() else ""
            results[user] = (run, log, ended)
        except Exception as e:  # noqa: BLE001 - reported below with the user
            errors.append(f"{user}: {e!r}")

    threads = [threading.Thread(target=one, args=(u,)) for u in users()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + 60)
    assert not errors, "\n".join(errors[:5])
    assert len(results) == N
    return results


def paths_requested(emu):
    counts = {"discovery": 0, "keys": 0, "devicecode": 0, "token": 0}
    for r in emu.requests():
        p = r["path"]
        if "openid-configuration" in p:
            counts["discovery"] += 1
        elif p.endswith("/discovery/v2.0/keys"):
            counts["keys"] += 1
        elif p.endswith("/oauth2/v2.0/devicecode"):
            counts["devicecode"] += 1
        elif p.endswith("/oauth2/v2.0/token"):
            counts["token"] += 1
    return counts


def check_cache(env, documents=2):
    """The shared cache after concurrent writers: complete files only, root-only."""
    assert stat.S_IMODE(os.stat(env.cache).st_mode) == 0o700
    names = sorted(os.listdir(env.cache))
    assert not [n for n in names if n.startswith(".") or ".tmp" in n], names
    bodies = [n for n in names if n.endswith(".json")]
    assert len(bodies) == documents, names  # discovery, and keys once a token was checked
    for name in names:
        path = env.cache / name
        st = os.lstat(path)
        assert stat.S_ISREG(st.st_mode), name
        assert stat.S_IMODE(st.st_mode) == 0o600, (name, oct(st.st_mode))
        if not name.endswith(".json"):
            continue
        data = path.read_bytes()
        magic, fetched, url, body = data.split(b"\n", 3)
        assert magic == b"jcfed-cache 1", name
        assert abs(int(fetched) - time.time()) < 600, name
        assert url.startswith(b"https://127.0.0.1:"), name
        doc = json.loads(body)
        assert "keys" in doc or "issuer" in doc, name


def snapshot(directory):
    out = {}
    for root, _, files in os.walk(directory):
        for f in files:
            p = os.path.join(root, f)
            with open(p, "rb") as fh:
                out[p] = hashlib.sha256(fh.read()).hexdigest()
    return out


def check_state(env, logged_in):
    """The pin store in mapping.state_dir holds complete, root-only JSON files, one pin per
    account that logged in, and nothing half-written."""
    if not env.state.exists():
        return
    for root, dirs, files in os.walk(env.state):
        for d in dirs:
            assert stat.S_IMODE(os.stat(os.path.join(root, d)).st_mode) == 0o700, d
        for f in files:
            p = os.path.join(root, f)
            assert not f.startswith(".") and ".tmp" not in f, p
            if p != str(env.directory):  # the admin's file (0644), only read by logins
                assert stat.S_IMODE(os.lstat(p).st_mode) == 0o600, p
            if os.path.basename(root) == "pins":
                with open(p, "rb") as fh:
                    json.loads(fh.read())
    pins = env.state / "pins"
    if pins.is_dir():
        accounts = {json.loads((pins / f).read_bytes()).get("account") for f in os.listdir(pins)}
        assert accounts == set(logged_in), accounts ^ set(logged_in)


def test_fifty_concurrent_logins(load_env):
    emu = load_env.emulator
    directory = load_env.directory
    before = snapshot(load_env.state)
    for wave in range(WAVES):
        emu.control("POST", "/_control/reset", {})
        began = time.monotonic()
        results = run_all(load_env, lambda user, code: emu.approve(f"{user}@contoso.com", user_code=code))
        took = time.monotonic() - began
        failed = {u: r.codes for u, (r, _, _) in results.items()
                  if r.codes != {"auth": "PAM_SUCCESS", "acct": "PAM_SUCCESS"}}
        assert not failed, (failed, next(iter(results.values()))[0].output)
        for user, (run, log, _) in results.items():
            assert f"Signed in as {user}@contoso.com" in run.output, run.output
            assert f"auth done: user={user} result=success" in log, log
            assert "unknown signing key" not in log, log
        counts = paths_requested(emu)
        print(f"wave {wave}: {took:.1f}s, requests {counts}")
        assert counts["devicecode"] == N, counts
        if wave == 0:
            # The cache was empty: each process fetched discovery and keys at most once (a
            # process that found a fresh copy another had written fetched nothing).
            assert 1 <= counts["discovery"] <= N and 1 <= counts["keys"] <= N, counts
        else:
            assert counts["discovery"] == 0 and counts["keys"] == 0, counts
        check_cache(load_env)
        check_state(load_env, users())
        assert took < 150, f"wave {wave} took {took:.1f}s"
    # A warm cache: the next 50 logins go straight to the device code.
    if WAVES == 1:
        emu.control("POST", "/_control/reset", {})
        results = run_all(load_env, lambda user, code: emu.approve(f"{user}@contoso.com", user_code=code))
        assert all(r.codes.get("auth") == "PAM_SUCCESS" for r, _, _ in results.values())
        counts = paths_requested(emu)
        assert counts["discovery"] == 0 and counts["keys"] == 0, counts
        check_cache(load_env)
    # Logins only read the directory file; it is never written or replaced.
    after = snapshot(load_env.state)
    assert after[str(directory)] == before[str(directory)]
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o644


@pytest.mark.parametrize("outage", ["hang", "503"])
def test_idp_goes_down_during_fifty_logins(load_env, outage):
    """Every code is shown, then the token endpoint stops answering (or answers 503) before
    anyone presses Enter: each of the 50 logins ends PAM_AUTHINFO_UNAVAIL within its bound."""
    emu = load_env.emulator
    down_at = []

    def go_down():
        emu.faults(**({"hang": True} if outage == "hang" else {"status": 503}), paths=["token"])
        down_at.append(time.monotonic())

    all_shown = threading.Barrier(N, action=go_down)

    def on_code(user, code):
        all_shown.wait(timeout=120)

    try:
        results = run_all(load_env, on_code)
    finally:
        emu.control("POST", "/_control/reset", {})  # ends the hanging requests
    assert down_at
    bound = HTTP_TIMEOUT + MARGIN
    slow = {}
    for user, (run, log, ended) in results.items():
        assert run.codes.get("auth") == "PAM_AUTHINFO_UNAVAIL", (user, run.output, log)
        assert "The sign-in service cannot be reached" in run.output
        assert "Signed in" not in run.output
        if ended - down_at[0] > bound:
            slow[user] = round(ended - down_at[0], 2)
    assert not slow, f"ended later than {bound}s after the outage: {slow}"
    print(f"{outage}: the last login ended {max(e for _, _, e in results.values()) - down_at[0]:.2f}s after the outage")
    if outage == "hang":
        assert "timed out" in next(iter(results.values()))[1]
    check_cache(load_env, documents=1)  # no token came, so no keys were needed
    check_state(load_env, [])
