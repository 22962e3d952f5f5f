"""Through real libpam: the JumpCloud directory, routing, the account stage, identity
pinning, and concurrent first logins."""
import copy
import json
import threading

from conftest import TENANT, interactive_login
from emulator_proc import Emulator, default_fixture
from jumpcloud_emulator import write_directory


def approve_as(env, upn, emulator=None):
    emu = emulator or env.emulator
    return lambda code: emu.approve(upn, user_code=code)


def use_directory(env, users, routing="federated-jc", bound=None, **mapping):
    path = env.state / "directory.json"
    ids = write_directory(path, users, bound_user_ids=bound)
    env.write_config(idp={"url": env.emulator.authority(TENANT), "ca_file": str(env.emulator.ca_path)},
                     mapping={"directory": str(path), **mapping}, routing={"groups": routing} if routing else None)
    env.emulator.faults(interval=1)
    return ids


def test_directory_maps_email_to_the_jumpcloud_username(idp):
    # The JumpCloud user `erin` has the company email alice@contoso.com (= the Entra UPN).
    use_directory(idp, [{"username": "erin", "email": "alice@contoso.com", "groups": ["federated-jc"]}])
    run = interactive_login(idp, "erin", approve_as(idp, "alice@contoso.com"))
    assert run.codes == {"auth": "PAM_SUCCESS", "acct": "PAM_SUCCESS"}, run.output + run.log
    # The same Entra account cannot log in as `alice`, whose directory email is someone else's.
    use_directory(idp, [{"username": "erin", "email": "alice@contoso.com", "groups": ["federated-jc"]},
                        {"username": "alice", "email": "alice.other@contoso.com", "groups": ["federated-jc"]}])
    run = interactive_login(idp, "alice", approve_as(idp, "alice@contoso.com"))
    assert run.codes["auth"] == "PAM_AUTH_ERR", run.output + run.log
    assert "not allowed to log in as alice" in run.output


def test_user_outside_the_routed_groups_is_ignored_without_requests(idp):
    use_directory(idp, [{"username": "alice", "groups": ["engineering"]}])
    before = len(idp.emulator.requests())
    codes, _, log = idp.run("alice", op="auth+acct", args=("debug",))
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_IGNORE"}
    assert "not-routed" in log
    assert len(idp.emulator.requests()) == before


def test_user_not_bound_to_the_device_is_not_federated(idp):
    use_directory(idp, [{"username": "alice", "groups": ["federated-jc"]},
                        {"username": "bob", "groups": ["federated-jc"]}], bound=["bob"])
    before = len(idp.emulator.requests())
    codes, _, log = idp.run("alice", op="auth+acct", args=("debug",))
    assert codes["auth"] == "PAM_IGNORE"
    assert codes["acct"] == "PAM_PERM_DENIED"
    assert len(idp.emulator.requests()) == before


def test_suspended_user_passes_auth_but_fails_account(idp):
    use_directory(idp, [{"username": "alice", "groups": ["federated-jc"], "suspended": True}])
    run = interactive_login(idp, "alice", approve_as(idp, "alice@contoso.com"))
    assert run.codes == {"auth": "PAM_SUCCESS", "acct": "PAM_ACCT_EXPIRED"}, run.output + run.log
    assert "suspended" in run.output.lower()


def test_locked_user_fails_account(idp):
    use_directory(idp, [{"username": "alice", "groups": ["federated-jc"], "account_locked": True}])
    codes, out, _ = idp.run("alice", op="acct")
    assert codes["acct"] == "PAM_PERM_DENIED", out
    assert "locked" in out.lower()


def test_pinned_account_refuses_same_upn_with_new_oid(idp):
    idp.emulator.faults(interval=1)
    first = interactive_login(idp, "alice", approve_as(idp, "alice@contoso.com"))
    assert first.codes["auth"] == "PAM_SUCCESS", first.output + first.log
    pins = list((idp.state / "pins").iterdir())
    assert [p.name for p in pins] == ["alice"]
    assert pins[0].stat().st_mode & 0o077 == 0
    old_oid = json.loads(pins[0].read_text())["oid"]
    # The Entra account was deleted and a new one took the same UPN (a recycled name).
    fixture = default_fixture()
    for t in fixture["tenants"]:
        for u in t["users"]:
            if u["upn"] == "alice@contoso.com":
                u["oid"] = "deadbeef-0000-4000-8000-00000000a11c"
    with Emulator(fixture) as recycled:
        recycled.faults(interval=1)
        idp.write_config(idp={"url": recycled.authority(TENANT), "ca_file": str(recycled.ca_path)})
        run = interactive_login(idp, "alice", approve_as(idp, "alice@contoso.com", recycled))
    assert run.codes["auth"] == "PAM_AUTH_ERR", run.output + run.log
    warnings = [line for line in run.log.splitlines() if line.startswith("SYSLOG 4 ")]
    assert any(old_oid in w and "deadbeef-0000-4000-8000-00000000a11c" in w for w in warnings), run.log


def test_twenty_concurrent_first_logins_leave_a_consistent_pin_store(pam_env):
    names = [f"user{i:02d}" for i in range(20)]
    fixture = default_fixture()
    tenant = next(t for t in fixture["tenants"] if t["id"] == TENANT)
    oids = {n: f"00000000-0000-4000-8000-0000000000{i:02d}" for i, n in enumerate(names)}
    tenant["users"] += [{"upn": f"{n}@contoso.com", "oid": oids[n], "email": f"{n}@contoso.com",
                         "xms_edov": True, "name": n, "groups": []} for n in names]
    pam_env.add_users(names)
    with Emulator(fixture) as emu:
        emu.faults(interval=1)
        pam_env.write_config(idp={"url": emu.authority(TENANT), "ca_file": str(emu.ca_path)})
        results = {}

        def one(name):
            results[name] = interactive_login(pam_env, name, lambda code: emu.approve(f"{name}@contoso.com", user_code=code),
                                              op="auth")
        threads = [threading.Thread(target=one, args=(n,)) for n in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    failed = {n: r.output for n, r in results.items() if r.codes.get("auth") != "PAM_SUCCESS"}
    assert len(results) == 20 and not failed, failed
    pins = {p.name: json.loads(p.read_text()) for p in (pam_env.state / "pins").iterdir()}
    assert set(pins) == set(names), sorted(pins)
    for n in names:
        assert pins[n]["oid"] == oids[n]
    assert not [p for p in (pam_env.state / "pins").iterdir() if p.name.startswith(".")]
