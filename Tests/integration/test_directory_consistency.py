"""The JumpCloud directory is believed only when it is consistent ("the hostile local caller",
item 10): times in the future, imports with no time of their own, directories that shrink,
usernames that differ only in case, a JumpCloud record whose unix_uid is not the local account's
uid, and the account state (JumpCloud's `state` over `activated`).

Through build/jcfed against the JumpCloud API emulator (real TLS, libcurl), and through real
libpam (build/pamrun, nss_wrapper users) with the Entra emulator for full logins.
"""
import json
import os
import time

import pytest

from conftest import SYSTEM_KEY, TENANT, interactive_login, public_pem
from jumpcloud_emulator import make_user, user_id, write_directory

DAY = 86400


@pytest.fixture
def jc_users():
    return 40


def export_file(world, doc, name="export.json"):
    f = world.base / name
    f.write_text(json.dumps(doc))
    os.chmod(f, 0o600)
    return f


def do_import(world, f, *extra):
    return world.jcfed("directory", "import", "--config", str(world.conf), *extra, str(f))


def show(world):
    return world.jcfed("directory", "show", "--config", str(world.conf))


def synced(world, *extra):
    p = world.sync(*extra)
    assert p.returncode == 0, p.stdout + p.stderr
    return world.directory.read_bytes()


def assert_kept(world, before, p, *words):
    assert p.returncode != 0, p.stdout + p.stderr
    assert world.directory.read_bytes() == before
    for w in words:
        assert w in p.stderr, p.stderr


# ---------------------------------------------------------------------------------------------
# Times in the future


@pytest.mark.parametrize("field", ["synced_at", "bindings_synced_at"])
def test_show_refuses_a_directory_synced_in_the_future(world, field):
    now = int(time.time())
    write_directory(world.directory, [{"username": "alice"}], bound_user_ids=["alice"], synced_at=now)
    d = json.loads(world.directory.read_text())
    d["jcfed"][field] = now + 30 * DAY
    world.directory.write_text(json.dumps(d))
    p = show(world)
    assert p.returncode != 0, p.stdout
    assert f"jcfed.{field}" in p.stderr and "after the current time" in p.stderr, p.stderr
    # A few minutes of clock difference between the admin host and the device are tolerated.
    d["jcfed"][field] = now + 120
    world.directory.write_text(json.dumps(d))
    p = show(world)
    assert p.returncode == 0, p.stderr


def test_pam_treats_a_future_directory_as_invalid(pam_env):
    # With stale_directory = deny a future synced_at would keep a frozen directory "fresh"
    # forever; it is an invalid directory instead (PAM_SERVICE_ERR for routed users).
    write_directory(pam_env.state / "directory.json", [{"username": "alice"}], synced_at=int(time.time()) + 400 * DAY)
    pam_env.write_config(mapping={"directory_max_age": "3600", "stale_directory": "deny"})
    codes, out, log = pam_env.run("alice", op="auth+acct")
    assert codes == {"auth": "PAM_SERVICE_ERR", "acct": "PAM_SERVICE_ERR"}, out + log
    assert "synced_at" in log and "after the current time" in log, log
    # Root and system accounts are not affected: they never reach the directory.
    codes, out, log = pam_env.run("root", op="acct")
    assert codes["acct"] == "PAM_IGNORE", out + log


# ---------------------------------------------------------------------------------------------
# An import takes its time from the file or --synced-at, never "now"


def test_an_import_without_a_time_is_refused(world, jc):
    raw = {"results": [make_user(i) for i in range(3)], "totalCount": 3}
    f = export_file(world, raw)
    p = do_import(world, f)
    assert p.returncode != 0, p.stdout
    assert "--synced-at" in p.stderr and "nothing was installed" in p.stderr, p.stderr
    assert not world.directory.exists()


@pytest.mark.parametrize("given,expected", [("1700000000", 1700000000), ("2023-11-14T22:13:20Z", 1700000000)])
def test_synced_at_gives_a_raw_export_its_time(world, jc, given, expected):
    f = export_file(world, {"results": [make_user(i) for i in range(3)], "totalCount": 3})
    p = do_import(world, f, "--synced-at", given)
    assert p.returncode == 0, p.stderr
    assert world.load()["jcfed"]["synced_at"] == expected
    # The age is the export's, not the import's: a 2023 export is stale at once.
    world.write_config(mapping={"directory_max_age": str(7 * DAY)})
    p = show(world)
    assert p.returncode == 0, p.stderr
    assert "stale: yes" in p.stdout, p.stdout


def test_an_import_keeps_the_time_in_the_file(world, jc):
    old = int(time.time()) - 3 * DAY
    doc = {"totalCount": 2, "jcfed": {"version": 1, "source": "api", "synced_at": old},
           "results": [make_user(i) for i in range(2)]}
    p = do_import(world, export_file(world, doc))
    assert p.returncode == 0, p.stderr
    assert world.load()["jcfed"]["synced_at"] == old
    assert "3 days ago" in show(world).stdout
    # A --synced-at that disagrees with the file is refused.
    world.directory.unlink()
    p = do_import(world, export_file(world, doc), "--synced-at", str(old + 60))
    assert p.returncode != 0 and f"but --synced-at is {old + 60}" in p.stderr, p.stderr
    assert not world.directory.exists()


@pytest.mark.parametrize("bad", ["yesterday", "2023-11-14T22:13:20+02:00", str(int(time.time()) + 30 * DAY)])
def test_a_bad_or_future_synced_at_is_refused(world, jc, bad):
    f = export_file(world, {"results": [make_user(1)], "totalCount": 1})
    p = do_import(world, f, "--synced-at", bad)
    assert p.returncode != 0, p.stdout
    assert "nothing was installed" in p.stderr, p.stderr
    assert not world.directory.exists()


def test_import_reports_the_memberships_in_the_file(world, jc):
    users = [dict(make_user(0), jcfed_groups=["Engineering", "Linux"]), dict(make_user(1), jcfed_groups=["Linux"]),
             make_user(2)]
    doc = {"totalCount": 3, "jcfed": {"version": 1, "synced_at": int(time.time()) - 60}, "results": users}
    p = do_import(world, export_file(world, doc))
    assert p.returncode == 0, p.stderr
    assert "users: 3, groups: 2, memberships: 3" in p.stdout, p.stdout


# ---------------------------------------------------------------------------------------------
# A directory that shrinks needs --allow-shrink


def test_a_sync_that_drops_most_users_keeps_the_old_directory(world, jc):
    before = synced(world)
    jc.fixture["users"] = jc.fixture["users"][:10]
    p = world.sync()
    assert_kept(world, before, p, "drops 30 of the 40 users", "--allow-shrink", "kept")
    p = world.sync("--allow-shrink")
    assert p.returncode == 0, p.stderr
    assert world.load()["totalCount"] == 10
    # Dropping 1 of 10 users (not more than 10 %) needs no flag.
    jc.fixture["users"] = jc.fixture["users"][:9]
    p = world.sync()
    assert p.returncode == 0, p.stderr
    assert world.load()["totalCount"] == 9


def test_an_import_that_shrinks_the_directory_from_four_users_to_one(world, jc):
    now = int(time.time())
    four = {"totalCount": 4, "jcfed": {"version": 1, "synced_at": now - 60}, "results": [make_user(i) for i in range(4)]}
    assert do_import(world, export_file(world, four)).returncode == 0
    before = world.directory.read_bytes()
    one = {"totalCount": 1, "jcfed": {"version": 1, "synced_at": now}, "results": [make_user(0)]}
    p = do_import(world, export_file(world, one, "one.json"))
    assert_kept(world, before, p, "drops 3 of the 4 users", "user1", "--allow-shrink")
    p = do_import(world, export_file(world, one, "one.json"), "--allow-shrink")
    assert p.returncode == 0, p.stderr
    assert world.load()["totalCount"] == 1


def test_a_bindings_sync_that_drops_every_binding_keeps_the_old_directory(world, jc):
    synced(world)
    world.install_agent()
    jc.add_system(SYSTEM_KEY, public_pem(world.device_key), [user_id(0), user_id(1)])
    assert world.sync(source="system").returncode == 0
    before = world.directory.read_bytes()
    jc.add_system(SYSTEM_KEY, public_pem(world.device_key), [])
    p = world.sync(source="system")
    assert_kept(world, before, p, "drops all 2 users bound to this device", "--allow-shrink")
    p = world.sync("--allow-shrink", source="system")
    assert p.returncode == 0, p.stderr
    assert world.load()["jcfed"]["bound_user_ids"] == []


# ---------------------------------------------------------------------------------------------
# Usernames are unique ignoring case


def test_a_sync_with_usernames_differing_only_in_case_is_refused(world, jc):
    before = synced(world)
    jc.fixture["users"].append(make_user(90, username="User3", email="someone.else@contoso.com"))
    p = world.sync()
    assert_kept(world, before, p, "'user3' and 'User3'", "kept")


def test_an_import_with_usernames_differing_only_in_case_is_refused(world, jc):
    doc = {"totalCount": 2, "jcfed": {"version": 1, "synced_at": int(time.time())},
           "results": [make_user(1, username="alice"), make_user(2, username="Alice")]}
    p = do_import(world, export_file(world, doc))
    assert p.returncode != 0 and "appears twice" in p.stderr and "ignoring case" in p.stderr, p.stderr
    assert not world.directory.exists()


def test_a_non_ascii_username_that_is_not_nfkc_stable_is_refused(world, jc):
    # U+FF41 FULLWIDTH LATIN SMALL LETTER A: NFKC folds it to "a".
    doc = {"totalCount": 1, "jcfed": {"version": 1, "synced_at": int(time.time())},
           "results": [make_user(1, username="\uff41lice")]}
    p = do_import(world, export_file(world, doc))
    assert p.returncode != 0 and "NFKC" in p.stderr, p.stderr


def test_pam_refuses_a_directory_with_usernames_differing_only_in_case(pam_env):
    path = pam_env.state / "directory.json"
    write_directory(path, [{"username": "alice"}, {"username": "Alice", "email": "mallory@contoso.com"}])
    pam_env.write_config()
    codes, out, log = pam_env.run("alice", op="acct")
    assert codes["acct"] == "PAM_SERVICE_ERR", out + log
    assert "appears twice" in log


# ---------------------------------------------------------------------------------------------
# Mapping: the local account must be the one the JumpCloud record describes


def use_directory(env, users):
    path = env.state / "directory.json"
    write_directory(path, users)
    env.write_config(idp={"url": env.emulator.authority(TENANT), "ca_file": str(env.emulator.ca_path)},
                     mapping={"directory": str(path)})
    env.emulator.faults(interval=1)


def test_an_org_user_cannot_take_a_local_account_with_another_uid(idp):
    # The local `dave` (uid 1004) is not the account the JumpCloud agent made for the JumpCloud
    # user `dave` (unix_uid 5004), whose company email is alice's Entra UPN.
    use_directory(idp, [{"username": "dave", "email": "alice@contoso.com", "unix_uid": 5004}])
    run = interactive_login(idp, "dave", lambda code: idp.emulator.approve("alice@contoso.com", user_code=code))
    assert run.codes["auth"] == "PAM_AUTH_ERR", run.output + run.log
    assert "not allowed to log in as dave" in run.output
    assert "uid-mismatch" in run.log and "unix_uid 5004" in run.log and "uid 1004" in run.log, run.log
    assert not (idp.state / "pins" / "dave").exists()
    # The record's unix_uid is the local uid: the login goes through.
    use_directory(idp, [{"username": "dave", "email": "alice@contoso.com", "unix_uid": 1004}])
    run = interactive_login(idp, "dave", lambda code: idp.emulator.approve("alice@contoso.com", user_code=code))
    assert run.codes == {"auth": "PAM_SUCCESS", "acct": "PAM_SUCCESS"}, run.output + run.log


# ---------------------------------------------------------------------------------------------
# The account stage: JumpCloud's state decides, `activated` only when there is no state


def test_account_stage_state_over_activated(pam_env):
    cases = [
        # ACTIVATED with "password pending": a user who signs in only through Entra.
        ({"activated": False, "state": "ACTIVATED"}, "PAM_SUCCESS"),
        ({"activated": True, "state": "STAGED"}, "PAM_ACCT_EXPIRED"),
        # No state (an older record): `activated` decides.
        ({"activated": False, "state": None}, "PAM_ACCT_EXPIRED"),
        ({"activated": True, "state": None}, "PAM_SUCCESS"),
    ]
    pam_env.write_config()
    for record, code in cases:
        write_directory(pam_env.state / "directory.json", [dict({"username": "alice"}, **record)])
        codes, out, log = pam_env.run("alice", op="acct")
        assert codes["acct"] == code, (record, out + log)
        if code == "PAM_ACCT_EXPIRED":
            assert "Your JumpCloud account is not activated." in out
