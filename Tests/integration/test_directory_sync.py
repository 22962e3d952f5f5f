"""`jcfed directory sync|import|show` and `jcfed pins` against the JumpCloud API
emulator over real TLS (libcurl) with a real RSA device key (OpenSSL).

The tool is build/jcfed (or $JCFED_TOOL). Every file lives in a temp dir owned by the user
running the tests; the tool checks ownership against its own uid.
"""
import base64
import json
import os
import ssl
import stat
import subprocess
import time
import urllib.request

import pytest

from conftest import PUBLIC_CLIENT, SYSTEM_KEY, TENANT, TOOL, public_pem, rsa_key, synced
from jumpcloud_emulator import http_date, make_user, sign_request, user_id


def assert_kept(world, before, p):
    assert p.returncode != 0, p.stdout + p.stderr
    assert world.directory.read_bytes() == before
    assert "kept" in p.stderr, p.stderr
    leftovers = [f for f in os.listdir(world.state) if f.startswith(".")]
    assert leftovers == [], leftovers


# ---------------------------------------------------------------------------------------------
# Org-wide sync with the API key


def test_sync_pages_over_three_pages(world, jc):
    p = world.sync()
    assert p.returncode == 0, p.stdout + p.stderr
    assert "users: 250 (3 pages), groups: 2, memberships: 128" in p.stdout
    reqs = jc.requests_to("/api/systemusers")
    assert [r["query"] for r in reqs] == [{"limit": "100", "skip": s, "sort": "_id"} for s in ("0", "100", "200")]
    assert all(r["has_api_key"] and r["status"] == 200 for r in jc.requests)
    d = world.load()
    assert d["totalCount"] == 250 and len(d["results"]) == 250
    assert d["jcfed"]["source"] == "api" and abs(d["jcfed"]["synced_at"] - time.time()) < 60
    assert d["jcfed"]["bound_user_ids"] is None
    alice = d["results"][0]
    assert alice["username"] == "user0" and alice["jcfed_groups"] == ["Engineering"]
    assert d["results"][1]["jcfed_groups"] == ["Sales"]
    assert d["results"][2]["jcfed_groups"] == ["Engineering", "Sales"]
    # Only the fields jcfed uses are kept: no phone numbers or addresses in the cache.
    assert set(alice) == {"_id", "username", "email", "activated", "suspended", "account_locked", "state",
                          "unix_uid", "jcfed_groups"}
    # Names and emails: readable by root only.
    assert stat.S_IMODE(os.stat(world.directory).st_mode) == 0o600
    # The API key never appears in what the tool prints.
    assert jc.fixture["api_key"] not in p.stdout + p.stderr


def test_sync_sends_the_org_id_when_configured(world, jc):
    jc.fixture["org_id"] = "org-123"
    p = world.sync()
    assert p.returncode != 0 and "401" in p.stderr
    world.write_config(jumpcloud={"org_id": "org-123"})
    jc.reset()
    p = world.sync()
    assert p.returncode == 0, p.stderr
    assert {r["org_id"] for r in jc.requests} == {"org-123"}


def test_401_is_a_clear_error_and_keeps_the_old_cache(world, jc):
    before = synced(world)
    world.write_api_key("wrong-key")
    jc.reset()
    p = world.sync()
    assert_kept(world, before, p)
    assert "HTTP 401" in p.stderr and "api_key_file" in p.stderr
    # Not retried: a refused key does not get better by asking again.
    assert len(jc.requests) == 1
    assert "wrong-key" not in p.stderr + p.stdout


def test_429_is_retried_after_retry_after(world, jc):
    jc.set_faults(rate_limit=2, retry_after=1)
    start = time.monotonic()
    p = world.sync()
    assert p.returncode == 0, p.stdout + p.stderr
    reqs = jc.requests_to("/api/systemusers")
    assert [r["status"] for r in reqs[:3]] == [429, 429, 200]
    gaps = [(b["t_ms"] - a["t_ms"]) / 1000 for a, b in zip(reqs, reqs[1:3])]
    assert all(g >= 0.95 for g in gaps), gaps
    assert time.monotonic() - start >= 2
    assert "HTTP 429; retrying" in p.stderr
    assert "users: 250" in p.stdout


def test_5xx_is_retried_with_backoff(world, jc):
    jc.set_faults(server_errors=2)
    p = world.sync()
    assert p.returncode == 0, p.stdout + p.stderr
    reqs = jc.requests_to("/api/systemusers")
    assert [r["status"] for r in reqs[:3]] == [503, 503, 200]
    gaps = [(b["t_ms"] - a["t_ms"]) / 1000 for a, b in zip(reqs, reqs[1:3])]
    # Exponential with jitter in the upper half: >= 0.25 s, then >= 0.5 s.
    assert gaps[0] >= 0.2 and gaps[1] >= 0.45, gaps


def test_5xx_that_persists_keeps_the_old_cache(world, jc):
    before = synced(world)
    jc.reset()
    jc.set_faults(server_errors=100)
    p = world.sync(attempts=3)
    assert_kept(world, before, p)
    assert "503" in p.stderr and "3 attempts" in p.stderr


def test_interrupted_transfer_keeps_the_old_cache(world, jc):
    before = synced(world)
    jc.reset()
    jc.set_faults(interrupt=100)
    p = world.sync(attempts=3)
    assert_kept(world, before, p)
    assert len(jc.requests_to("/api/systemusers")) == 3


def test_interrupted_transfer_once_is_retried(world, jc):
    jc.set_faults(interrupt=1)
    p = world.sync()
    assert p.returncode == 0, p.stdout + p.stderr
    assert [r["note"] for r in jc.requests_to("/api/systemusers")][:2] == ["fault:interrupt", "sort=_id"]


def test_malformed_json_keeps_the_old_cache(world, jc):
    before = synced(world)
    jc.reset()
    jc.set_faults(malformed=1)
    p = world.sync()
    assert_kept(world, before, p)
    assert "not valid JSON" in p.stderr


def test_a_list_that_changes_while_paging_keeps_the_old_cache(world, jc):
    before = synced(world)
    jc.reset()
    jc.set_faults(wrong_total=5)
    p = world.sync()
    assert_kept(world, before, p)
    assert "changed during the sync" in p.stderr or "paging" in p.stderr


def test_untrusted_tls_fails_and_writes_nothing(world, jc):
    p = world.jcfed("directory", "sync", "--config", str(world.conf), "--source", "api")
    assert p.returncode != 0
    assert "TLS" in p.stderr
    assert not world.directory.exists()


def test_unsafe_api_key_file_is_refused(world, jc):
    os.chmod(world.key_file, 0o644)
    p = world.sync()
    assert p.returncode != 0 and "readable by others" in p.stderr
    assert jc.requests == []


# ---------------------------------------------------------------------------------------------
# System Context: this device's bindings, signed with the agent key


def bound_ids():
    return [user_id(0), user_id(1), user_id(7)]


def test_system_context_bindings_are_signed_and_stored(world, jc):
    world.install_agent()
    jc.add_system(SYSTEM_KEY, public_pem(world.device_key), bound_ids())
    p = world.sync("--admin-host", source="auto")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "bound to this device: 3 users" in p.stdout
    sc = jc.requests_to("/api/v2/systems/")
    assert len(sc) == 1 and sc[0]["status"] == 200 and sc[0]["note"] == "signature:ok", sc
    assert not sc[0]["has_api_key"]
    assert sc[0]["date"].endswith(" GMT")
    d = world.load()
    assert sorted(d["jcfed"]["bound_user_ids"]) == sorted(bound_ids())
    assert d["jcfed"]["bindings_synced_at"] == d["jcfed"]["synced_at"]
    p = world.jcfed("directory", "show", "--config", str(world.conf))
    assert p.returncode == 0, p.stderr
    assert "bound to this device: 3 (user0 user1 user7)" in p.stdout


def test_bindings_only_sync_on_a_device_keeps_the_imported_users(world, jc):
    synced(world)
    users_before = world.load()["results"]
    world.install_agent()
    jc.add_system(SYSTEM_KEY, public_pem(world.device_key), bound_ids()[:1])
    world.key_file.unlink()  # a device holds no API key
    jc.reset()
    p = world.sync(source="auto")
    assert p.returncode == 0, p.stdout + p.stderr
    assert jc.requests_to("/api/systemusers") == []
    d = world.load()
    assert d["results"] == users_before
    assert d["jcfed"]["bound_user_ids"] == bound_ids()[:1]
    assert "kept from the installed directory" in p.stdout


def test_bindings_without_a_directory_are_refused(world, jc):
    world.install_agent()
    jc.add_system(SYSTEM_KEY, public_pem(world.device_key), bound_ids())
    p = world.sync(source="system")
    assert p.returncode != 0
    assert "install those first" in p.stderr
    assert not world.directory.exists()


def test_system_context_wrong_key_is_rejected(world, jc):
    before = synced(world)
    world.install_agent()
    jc.add_system(SYSTEM_KEY, public_pem(rsa_key()), bound_ids())  # the emulator knows another key
    jc.reset()
    p = world.sync(source="system")
    assert_kept(world, before, p)
    assert "signature" in p.stderr
    assert [r["note"] for r in jc.requests] == ["signature:bad-signature"]


def test_system_context_stale_date_is_rejected(world, jc):
    before = synced(world)
    world.install_agent()
    jc.add_system(SYSTEM_KEY, public_pem(world.device_key), bound_ids())
    jc.reset()
    jc.set_faults(clock_offset=3600)  # the device's clock is an hour behind JumpCloud's
    p = world.sync(source="system")
    assert_kept(world, before, p)
    assert [r["note"] for r in jc.requests] == ["signature:stale-date"]


def probe(jc, target, headers):
    ctx = ssl.create_default_context(cafile=str(jc.ca_path))
    req = urllib.request.Request(jc.url + target, headers=headers)
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_emulator_verifies_signatures_strictly(jc):
    key = rsa_key()
    jc.add_system(SYSTEM_KEY, public_pem(key), bound_ids())
    target = f"/api/v2/systems/{SYSTEM_KEY}/users?limit=100&skip=0"
    date = http_date()

    def auth(sig, key_id=f"system/{SYSTEM_KEY}"):
        return {"Date": date, "Authorization":
                f'Signature keyId="{key_id}",headers="request-line date",algorithm="rsa-sha256",signature="{sig}"'}

    good = sign_request(key, "GET", target, date)
    assert probe(jc, target, auth(good)) == 200
    # Tampered request line: the signature covers skip=0, the request asks for skip=100.
    assert probe(jc, target.replace("skip=0", "skip=100"), auth(good)) == 401
    # Another system's id in keyId, a stale Date, a wrong key, no signature at all.
    assert probe(jc, target, auth(good, key_id="system/5e00000000000000000000bb")) == 401
    old = http_date(time.time() - 600)
    assert probe(jc, target, {"Date": old, "Authorization": auth(sign_request(key, "GET", target, old))["Authorization"]}) == 401
    assert probe(jc, target, auth(sign_request(rsa_key(), "GET", target, date))) == 401
    assert probe(jc, target, {"Date": date}) == 401
    # System Context cannot read user records.
    assert probe(jc, "/api/systemusers", auth(sign_request(key, "GET", "/api/systemusers", date))) == 401
    notes = [r["note"] for r in jc.requests]
    assert notes == ["signature:ok", "signature:bad-signature", "signature:wrong-keyid", "signature:stale-date",
                     "signature:bad-signature", "signature:no-signature", "bad-api-key"], notes


# ---------------------------------------------------------------------------------------------
# Import and show


def export_file(world, text, mode=0o644):
    f = world.base / "export.json"
    f.write_text(text)
    os.chmod(f, mode)
    return f


def test_import_validates_and_installs_a_raw_api_export(world, jc):
    users = [make_user(i) for i in range(3)]
    f = export_file(world, json.dumps({"results": users, "totalCount": 3}))
    p = world.jcfed("directory", "import", "--config", str(world.conf), "--synced-at", "1700000000", str(f))
    assert p.returncode == 0, p.stderr
    assert "users: 3" in p.stdout
    d = world.load()
    assert [u["username"] for u in d["results"]] == ["user0", "user1", "user2"]
    assert d["jcfed"]["source"] == "import"
    assert "phoneNumbers" not in d["results"][0]
    assert jc.requests == []  # import never calls JumpCloud


@pytest.mark.parametrize("text,problem", [
    ('{"results": [', "not valid JSON"),
    ('{"results": [], "totalCount": 5}', "truncated"),
    (json.dumps({"results": [make_user(1), make_user(2, username="user1")], "totalCount": 2}), "appears twice"),
    (json.dumps({"results": [dict(make_user(1), activated="yes")], "totalCount": 1}), "activated"),
])
def test_import_rejects_a_bad_file_and_keeps_the_installed_one(world, jc, text, problem):
    before = synced(world)
    f = export_file(world, text)
    p = world.jcfed("directory", "import", "--config", str(world.conf), str(f))
    assert p.returncode != 0
    assert problem in p.stderr and "nothing was installed" in p.stderr
    assert world.directory.read_bytes() == before


def test_import_refuses_a_file_others_can_write(world, jc):
    f = export_file(world, json.dumps({"results": [], "totalCount": 0}), mode=0o666)
    p = world.jcfed("directory", "import", "--config", str(world.conf), str(f))
    assert p.returncode != 0 and "writable" in p.stderr
    assert not world.directory.exists()


def test_import_keeps_this_devices_bindings(world, jc):
    synced(world)
    world.install_agent()
    jc.add_system(SYSTEM_KEY, public_pem(world.device_key), bound_ids())
    assert world.sync(source="system").returncode == 0
    f = export_file(world, json.dumps({"results": [make_user(i) for i in range(10)], "totalCount": 10}))
    p = world.jcfed("directory", "import", "--config", str(world.conf), "--synced-at", str(int(time.time())),
                    "--allow-shrink", str(f))
    assert p.returncode == 0, p.stderr
    d = world.load()
    assert len(d["results"]) == 10
    assert sorted(d["jcfed"]["bound_user_ids"]) == sorted(bound_ids())


def test_show(world, jc):
    p = world.jcfed("directory", "show", "--config", str(world.conf))
    assert p.returncode == 0 and "none (mapping uses fallback = localpart" in p.stdout
    jc.fixture["users"][3]["suspended"] = True
    jc.fixture["users"][4]["account_locked"] = True
    synced(world)
    world.write_config(mapping={"directory_max_age": "3600"}, routing="Engineering Nobody")
    p = world.jcfed("directory", "show", "--config", str(world.conf))
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "users: 250 (suspended 1, not activated 0, locked 1)" in out
    assert "groups: 2" in out
    assert "binding check off" in out
    assert "seconds ago" in out
    assert "stale: no" in out
    assert "routed group Nobody has no JumpCloud members" in out


# ---------------------------------------------------------------------------------------------
# Pins


def write_pin(world, account, oid):
    pins = world.state / "pins"
    pins.mkdir(mode=0o700, exist_ok=True)
    f = pins / account
    f.write_text(json.dumps({"account": account, "tid": TENANT, "oid": oid,
                             "issuer": f"https://login.microsoftonline.com/{TENANT}/v2.0",
                             "pinned_at": int(time.time()) - 3600}))
    os.chmod(f, 0o600)


def test_pins_list_and_reset(world):
    p = world.jcfed("pins", "list", "--config", str(world.conf))
    assert p.returncode == 0 and "no pins" in p.stdout
    write_pin(world, "alice", "aaaaaaaa-0000-0000-0000-000000000001")
    write_pin(world, "bob", "bbbbbbbb-0000-0000-0000-000000000002")
    p = world.jcfed("pins", "list", "--config", str(world.conf))
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].startswith("ACCOUNT")
    assert lines[1].startswith("alice") and "aaaaaaaa-0000-0000-0000-000000000001" in lines[1] and TENANT in lines[1]
    assert lines[2].startswith("bob")
    p = world.jcfed("pins", "reset", "alice", "--config", str(world.conf))
    assert p.returncode == 0 and "removed the pin of alice" in p.stdout
    assert "aaaaaaaa-0000-0000-0000-000000000001" in p.stdout
    assert not (world.state / "pins" / "alice").exists()
    p = world.jcfed("pins", "reset", "alice", "--config", str(world.conf))
    assert p.returncode == 0 and "has no pin" in p.stdout


def test_pins_refuses_an_unsafe_store(world):
    write_pin(world, "alice", "aaaaaaaa-0000-0000-0000-000000000001")
    os.chmod(world.state / "pins", 0o777)
    p = world.jcfed("pins", "list", "--config", str(world.conf))
    assert p.returncode != 0 and "writable" in p.stderr


def test_an_empty_org_does_not_replace_a_populated_directory(world, jc):
    before = synced(world)
    jc.fixture["users"], jc.fixture["groups"] = [], []
    p = world.sync()
    assert p.returncode != 0 and "--allow-empty" in p.stderr
    assert world.directory.read_bytes() == before
    p = world.sync("--allow-empty")
    assert p.returncode == 0, p.stderr
    assert world.load()["totalCount"] == 0


def test_write_directory_helper_makes_a_file_the_tool_accepts(world):
    from jumpcloud_emulator import write_directory
    ids = write_directory(world.directory, [{"username": "alice", "groups": ["federated"]},
                                            {"username": "bob", "suspended": True}], bound_user_ids=["alice"])
    p = world.jcfed("directory", "show", "--config", str(world.conf))
    assert p.returncode == 0, p.stderr
    assert "users: 2 (suspended 1" in p.stdout and "bound to this device: 1 (alice)" in p.stdout
    assert len(ids["alice"]) == 24


# ---------------------------------------------------------------------------------------------
# The installed directory through real libpam: routing, bindings and the account stage need no
# IdP (the configured IdP at 127.0.0.1:9 answers nothing: any request would end in
# PAM_AUTHINFO_UNAVAIL, so PAM_IGNORE also shows that no request was made).


def pam_directory(pam_env, bound=None, synced_at=None, **config):
    from jumpcloud_emulator import write_directory
    write_directory(pam_env.state / "directory.json", [
        {"username": "alice", "groups": ["Engineering"]},
        {"username": "bob", "groups": ["Engineering"], "suspended": True},
        {"username": "carol", "groups": ["Engineering"], "account_locked": True},
        {"username": "dave"},
        {"username": "erin", "activated": False, "state": "STAGED"},
    ], bound_user_ids=bound, synced_at=synced_at)
    pam_env.write_config(**config)


@pytest.mark.parametrize("user,code,message", [
    ("alice", "PAM_SUCCESS", None),
    ("bob", "PAM_ACCT_EXPIRED", "Your JumpCloud account is suspended."),
    ("carol", "PAM_PERM_DENIED", "Your JumpCloud account is locked."),
    ("erin", "PAM_ACCT_EXPIRED", "Your JumpCloud account is not activated."),
])
def test_account_stage_follows_the_directory(pam_env, user, code, message):
    pam_directory(pam_env)
    codes, out, log = pam_env.run(user, op="acct")
    assert codes["acct"] == code, out + log
    if message:
        assert message in out


def test_not_routed_and_unknown_users_are_ignored_without_requests(pam_env):
    pam_directory(pam_env, routing={"groups": "Engineering"})
    codes, out, log = pam_env.run("dave", op="auth+acct", args=("debug",))
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_IGNORE"}, out + log
    assert "reason=not-routed" in log
    # A local account with no JumpCloud record (a local admin) is not federated either.
    pam_env.write_config()
    codes, out, log = pam_env.run("root", op="auth+acct")
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_IGNORE"}
    (pam_env.base / "passwd").write_text((pam_env.base / "passwd").read_text() + "localadm:x:1500:1500::/:/bin/sh\n")
    codes, out, log = pam_env.run("localadm", op="auth+acct", args=("debug",))
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_IGNORE"}, out + log
    assert "reason=not-in-directory" in log


def test_unbound_user_is_not_federated_and_refused_at_account(pam_env):
    pam_directory(pam_env, bound=["alice", "bob"])
    codes, out, log = pam_env.run("dave", op="auth+acct", args=("debug",))
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_PERM_DENIED"}, out + log
    assert "reason=not-bound" in log
    assert "not allowed on this device" in out
    codes, _, _ = pam_env.run("alice", op="acct")
    assert codes["acct"] == "PAM_SUCCESS"


def test_stale_directory_policy(pam_env):
    old = int(time.time()) - 10 * 86400
    pam_directory(pam_env, synced_at=old)
    codes, out, log = pam_env.run("alice", op="acct")
    assert codes["acct"] == "PAM_SUCCESS", out + log
    assert "SYSLOG 4 " in log and "hours old" in log
    pam_directory(pam_env, synced_at=old, mapping={"stale_directory": "deny"})
    codes, out, log = pam_env.run("alice", op="auth+acct")
    assert codes == {"auth": "PAM_AUTHINFO_UNAVAIL", "acct": "PAM_AUTHINFO_UNAVAIL"}, out + log
    assert "out of date" in out


def test_malformed_or_unsafe_directory_is_a_service_error(pam_env):
    pam_env.write_config()
    d = pam_env.state / "directory.json"
    pam_env.state.mkdir(exist_ok=True)
    d.write_text('{"results": [], "totalCount": 3}')
    os.chmod(d, 0o600)
    codes, out, log = pam_env.run("alice", op="acct")
    assert codes["acct"] == "PAM_SERVICE_ERR", out + log
    assert "truncated" in log
    pam_directory(pam_env)
    os.chmod(d, 0o666)
    codes, out, log = pam_env.run("alice", op="acct")
    assert codes["acct"] == "PAM_SERVICE_ERR", out + log


def test_root_prefixes_every_system_path(world):
    """--root DIR / $JCFED_ROOT: jcfed.conf and the paths it names are looked up under DIR."""
    tree = world.base / "tree"
    (tree / "etc/jcfed").mkdir(parents=True)
    (tree / "etc/jcfed/jcfed.conf").write_text(
        f"[idp]\nurl = https://login.microsoftonline.com/{TENANT}\nclient_id = {PUBLIC_CLIENT}\n")
    f = export_file(world, json.dumps({"results": [make_user(1)], "totalCount": 1}))
    p = world.jcfed("directory", "import", "--root", str(tree), "--synced-at", str(int(time.time())), str(f))
    assert p.returncode == 0, p.stderr
    assert json.loads((tree / "var/lib/jcfed/directory.json").read_text())["totalCount"] == 1
    # $JCFED_ROOT counts only when not root (as root it is ignored: test_tool_caller_environment.py).
    env = dict(os.environ, JCFED_ROOT=str(tree)) if os.geteuid() != 0 else dict(os.environ)
    root_args = [] if os.geteuid() != 0 else ["--root", str(tree)]
    p = subprocess.run([str(TOOL), "directory", "show"] + root_args, capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0 and "users: 1 " in p.stdout, p.stdout + p.stderr
    p = subprocess.run([str(TOOL), "pins", "list"] + root_args, capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0 and "no pins" in p.stdout, p.stdout + p.stderr
