"""The front module (pam/front/pam_jcfed_front.c) and the core's not-federated records, on real
libpam, real files and NSS (nss_wrapper): a user the core decided is not federated gets PAM_IGNORE
from the front without the core being loaded, only while every input of that decision is the
same; a changed input, and any record that is not root's, sends the stage to the core.

Whether the core was loaded is read from strace: dlopen opens pam_jcfed_core.so."""
import os
import pathlib
import shutil

import pytest

from conftest import MODULE, strace_opens, opened_paths

RECORDS = pathlib.Path("/run/jcfed/not-federated")
DAVE_UID = 1004  # conftest's USERS: dave, in the local group staff only

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the records are root's: run as root")


def decide(env, user, op="auth+acct", args=(), module=MODULE, tmp=None):
    """pamrun calling the module's entry points directly: (codes, output, syslog, core loaded)."""
    trace = pathlib.Path(tmp or env.base) / "trace.txt"
    codes, out, log = env.run(user, op=op, args=args, module=module, valgrind=strace_opens(trace))
    loaded = any(path.endswith("pam_jcfed_core.so") for path in opened_paths(trace))
    return codes, out, log, loaded


@pytest.fixture
def world(pam_env):
    """dave outside routing.groups, no record of him yet."""
    (RECORDS / str(DAVE_UID)).unlink(missing_ok=True)
    pam_env.write_config(routing={"groups": "federated"})
    yield pam_env
    (RECORDS / str(DAVE_UID)).unlink(missing_ok=True)


def recorded(env):
    """Runs dave once through the core (no record), which writes his record; returns its path."""
    (RECORDS / str(DAVE_UID)).unlink(missing_ok=True)
    codes, out, _, loaded = decide(env, "dave")
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_IGNORE"} and loaded, out
    record = RECORDS / str(DAVE_UID)
    assert record.exists()
    return record


def answered_by_front(env, user="dave", args=()):
    codes, out, _, loaded = decide(env, user, args=args)
    return codes == {"auth": "PAM_IGNORE", "acct": "PAM_IGNORE"} and not loaded


def test_the_second_decision_is_the_fronts_and_the_record_is_roots(world):
    record = recorded(world)
    st = record.stat()
    assert st.st_uid == 0 and st.st_mode & 0o777 == 0o644
    for folder in (RECORDS, RECORDS.parent):
        fst = folder.stat()
        assert fst.st_uid == 0 and fst.st_mode & 0o022 == 0
    text = record.read_text()
    assert text.startswith("jcfed-not-federated 1\nwritten ")
    assert f"\nuser {b'dave'.hex()} {DAVE_UID}\n" in text
    assert f"\ngroups {b'dave'.hex()} {b'staff'.hex()}\n" in text
    assert answered_by_front(world)
    assert answered_by_front(world)


def test_setcred_sessions_and_chauthtok_never_load_the_core(world):
    for op, code in (("setcred", "PAM_SUCCESS"), ("open", "PAM_IGNORE"), ("close", "PAM_IGNORE"),
                     ("chauthtok", "PAM_IGNORE")):
        codes, out, _, loaded = decide(world, "alice", op=op)
        assert codes == {op: code} and not loaded, (op, out)


def test_a_user_added_to_a_routed_group_goes_to_the_core_and_is_federated(world):
    recorded(world)
    group = world.base / "group"
    group.write_text(group.read_text().replace("federated:x:2001:alice,bob,carol", "federated:x:2001:alice,bob,carol,dave"))
    codes, out, _, loaded = decide(world, "dave")
    # Routed now: the core goes to the IdP (nothing listens there), never PAM_IGNORE.
    assert loaded and codes["auth"] == "PAM_AUTHINFO_UNAVAIL", out


def test_a_routing_change_in_jcfed_conf_goes_to_the_core(world):
    recorded(world)
    world.write_config(routing={"groups": "staff"})
    codes, out, _, loaded = decide(world, "dave")
    assert loaded and codes["auth"] == "PAM_AUTHINFO_UNAVAIL", out


def test_jcfed_conf_touched_or_replaced_goes_to_the_core_once(world):
    recorded(world)
    os.utime(world.conf)  # same text, another modification time
    codes, out, _, loaded = decide(world, "dave")
    assert loaded and codes == {"auth": "PAM_IGNORE", "acct": "PAM_IGNORE"}, out
    assert answered_by_front(world)
    text = world.conf.read_text()
    world.conf.unlink()
    world.conf.write_text(text)  # same text, another inode
    os.chmod(world.conf, 0o644)
    assert not answered_by_front(world)
    assert answered_by_front(world)


def test_a_directory_file_that_appears_goes_to_the_core(world):
    recorded(world)
    world.state.mkdir(exist_ok=True)
    directory = world.state / "directory.json"
    directory.write_text("not a directory\n")
    os.chmod(directory, 0o644)
    codes, out, log, loaded = decide(world, "dave")
    assert loaded and codes["auth"] == "PAM_SERVICE_ERR", out + log


def test_other_arguments_go_to_the_core(world):
    recorded(world)
    codes, out, log, loaded = decide(world, "dave", args=("debug",))
    assert loaded and codes["auth"] == "PAM_IGNORE" and "not federated" in log, out + log
    assert not answered_by_front(world, args=("try_first_pass",))


def test_a_record_that_is_not_roots_or_not_safe_is_not_trusted(world, tmp_path):
    def forged(change, undo=None):
        record = recorded(world)
        change(record)
        try:
            return answered_by_front(world)
        finally:
            if undo:
                undo(record)

    assert not forged(lambda r: os.chown(r, 1000, 0))
    assert not forged(lambda r: os.chmod(r, 0o664))
    assert not forged(lambda r: os.chmod(r, 0o646))

    def symlinked(r):
        copy = tmp_path / "copy"
        shutil.copy2(r, copy)
        r.unlink()
        r.symlink_to(copy)
    assert not forged(symlinked, undo=lambda r: r.unlink())

    assert not forged(lambda r: os.chown(RECORDS, 1000, 0), undo=lambda r: os.chown(RECORDS, 0, 0))
    assert not forged(lambda r: os.chmod(RECORDS, 0o777), undo=lambda r: os.chmod(RECORDS, 0o755))

    def from_the_future(r):
        lines = r.read_text().splitlines(keepends=True)
        lines[1] = "written 9999999999\n"
        r.write_text("".join(lines))
    assert not forged(from_the_future)

    def other_groups(r):
        r.write_text(r.read_text().replace(f" {b'staff'.hex()}\n", "\n"))
    assert not forged(other_groups)

    def trailing(r):
        r.write_text(r.read_text() + "groups\n")
    assert not forged(trailing)
    # And the untouched record still works.
    recorded(world)
    assert answered_by_front(world)


def test_without_its_core_the_front_fails_closed_and_says_so(world, tmp_path):
    front = tmp_path / "pam_jcfed.so"
    shutil.copy(MODULE, front)
    codes, out, log, _ = decide(world, "alice", module=front, tmp=tmp_path)
    assert codes == {"auth": "PAM_SERVICE_ERR", "acct": "PAM_SERVICE_ERR"}, out
    assert "cannot load" in log and "pam_jcfed_core.so" in log and "reinstall jcfed" in log, log
    assert "ERROR: Federated login is misconfigured; contact your administrator." in out, out


def run_auth(env):
    """dave's auth through the front, without strace (fast): the PAM code."""
    return env.run("dave", op="auth")[0].get("auth")


def test_a_record_changed_in_any_byte_or_cut_anywhere_is_not_used(world):
    """Every byte changed, and every proper prefix: the front does not answer (the core does, and
    writes the record anew); nothing crashes. Except the bytes of two fields the front takes from
    the record itself: the `written` time (any time not after now will do) and the directory's
    path (jcfed.conf names it, and jcfed.conf's identity is checked; another path that does not
    exist either reads the same)."""
    record = recorded(world)
    valid = record.read_bytes()
    written = valid.index(b"written ")
    written_end = valid.index(b"\n", written)
    directory = valid.index(b"\ndirectory ") + len(b"\ndirectory ")
    directory_end = valid.index(b" ", directory)
    forgeries = [valid[:n] for n in range(len(valid))]
    for i in range(len(valid)):
        if written <= i < written_end or directory <= i < directory_end:
            continue
        for replacement in {b"0"[0], b"f"[0], b" "[0], b"\n"[0]} - {valid[i]}:
            forgeries.append(valid[:i] + bytes([replacement]) + valid[i + 1:])
    assert len(forgeries) > 1000
    used = []
    for forged in forgeries:
        record.write_bytes(forged)
        assert run_auth(world) == "PAM_IGNORE"
        if record.read_bytes() == forged:  # the core would have written the valid record again
            used.append(forged)
    assert used == [], used[:3]
    assert record.read_bytes() == valid or record.read_bytes().split(b"\n", 2)[2] == valid.split(b"\n", 2)[2]


def test_the_front_under_memcheck(world):
    """The record read, checked and used, and refused, under valgrind: no error, no leak."""
    from conftest import VALGRIND, check_clean
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is installed by make deps")
    recorded(world)
    codes, out, _ = world.run("dave", op="auth+acct", cycles=2, valgrind=VALGRIND, timeout=300)
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_IGNORE"}, out[-2000:]
    check_clean(out)
    record = RECORDS / str(DAVE_UID)
    record.write_text(record.read_text().replace("\nuser ", "\nuser 00"))
    codes, out, _ = world.run("dave", op="auth+acct", cycles=2, valgrind=VALGRIND, timeout=300)
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_IGNORE"}, out[-2000:]
    check_clean(out)
