"""`jcfed directory sync` at fleet scale, through the tool against the
JumpCloud emulator over real TLS: jittered Retry-After, at most 2 attempts on 429 from a
scheduled run, paging that a lying totalCount / x-total-count can neither loop nor truncate,
v2 lists sorted by _id, users bound through groups, records outside the limits skipped and
named, the admin-key refusal on an agent host, --splay, the sync/import lock, and the packaged
timer with `jcfed directory schedule`.
"""
import configparser
import fcntl
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import SYSTEM_KEY, TOOL, public_pem, synced
from jumpcloud_emulator import make_user, user_id

REPO = pathlib.Path(__file__).resolve().parents[2]
UNITS = REPO / "packaging" / "deb"


def retry_delays(stderr):
    return [int(m) for m in re.findall(r"HTTP 429; retrying in (\d+) ms", stderr)]


# ---------------------------------------------------------------------------------------------
# Retries that spread

def test_retry_after_gets_a_random_jitter(world, jc):
    jc.set_faults(rate_limit=3, retry_after=1)
    p = world.sync()
    assert p.returncode == 0, p.stdout + p.stderr
    delays = retry_delays(p.stderr)
    assert len(delays) == 3, p.stderr
    # Never earlier than asked, at most half the wait later; not the same wave every time.
    assert all(1000 <= d <= 1500 for d in delays), delays
    assert any(d > 1000 for d in delays), delays
    reqs = jc.requests_to("/api/systemusers")
    gaps = [(b["t_ms"] - a["t_ms"]) / 1000 for a, b in zip(reqs, reqs[1:4])]
    assert all(g >= 0.95 for g in gaps), gaps


def test_a_scheduled_run_stops_after_two_429s_and_keeps_the_directory(world, jc):
    before = synced(world)
    jc.reset()
    jc.set_faults(rate_limit=50, retry_after=1)
    p = world.sync("--scheduled")
    assert p.returncode == 1, p.stdout + p.stderr
    assert [r["status"] for r in jc.requests_to("/api/")] == [429, 429]
    assert "HTTP 429" in p.stderr and "next run" in p.stderr and "kept" in p.stderr, p.stderr
    assert world.directory.read_bytes() == before
    # An admin's run (not --scheduled) still tries harder.
    jc.reset()
    jc.set_faults(rate_limit=3, retry_after=1)
    p = world.sync()
    assert p.returncode == 0, p.stdout + p.stderr


# ---------------------------------------------------------------------------------------------
# Paging

def test_an_under_reported_total_count_does_not_truncate(world, jc):
    jc.set_faults(wrong_total=-50)  # 250 users, totalCount 200: today 200 users are written
    p = world.sync()
    assert p.returncode == 1, p.stdout + p.stderr
    assert "totalCount" in p.stderr or "changed during the sync" in p.stderr, p.stderr
    assert not world.directory.exists()


def test_a_total_count_that_changes_on_every_page_stops_at_once(world, jc):
    before = synced(world)
    jc.reset()
    jc.set_faults(total_drift=100)
    p = world.sync()
    assert p.returncode == 1, p.stdout + p.stderr
    assert "totalCount changed from 250 to 350" in p.stderr, p.stderr
    assert len(jc.requests_to("/api/systemusers")) == 2
    assert world.directory.read_bytes() == before


def test_v2_lists_send_and_are_checked_against_x_total_count(world, jc):
    synced(world)
    groups = [r for r in jc.requests_to("/api/v2/usergroups") if r["path"] == "/api/v2/usergroups"]
    assert groups and all(r["query"].get("sort") == "_id" for r in groups), groups
    before = world.directory.read_bytes()
    jc.set_faults(wrong_header_total=3)
    p = world.sync()
    assert p.returncode == 1, p.stdout + p.stderr
    assert "x-total-count" in p.stderr, p.stderr
    assert world.directory.read_bytes() == before


def test_users_bound_through_groups_are_bound(world, jc):
    synced(world)
    world.key_file.unlink()
    world.install_agent()
    sales = "aaaa00000000000000000002"  # users 1, 2, 3
    jc.add_system(SYSTEM_KEY, public_pem(world.device_key), [user_id(1), user_id(9)], bound_group_ids=[sales])
    p = world.sync(source="system")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "bound to this device: 4 users" in p.stdout, p.stdout
    assert sorted(world.load()["jcfed"]["bound_user_ids"]) == sorted(user_id(i) for i in (1, 2, 3, 9))


def test_a_record_outside_the_limits_is_skipped_and_named(world, jc):
    jc.fixture["users"].append(make_user(250, username="l" * 300))
    jc.fixture["groups"].append({"id": "aaaa00000000000000000003", "name": "G" * 1000, "members": [user_id(0)]})
    p = world.sync()
    assert p.returncode == 0, p.stdout + p.stderr
    assert "users: 250 (3 pages), groups: 2" in p.stdout, p.stdout
    assert "skipped 2 records outside jcfed's limits" in p.stdout
    assert f"skipped user {user_id(250)} ({'l' * 64}...)" in p.stdout, p.stdout
    assert "skipped group aaaa00000000000000000003 (GGGG" in p.stdout
    assert "G" * 300 not in p.stdout
    d = world.load()
    assert len(d["results"]) == 250 and d["results"][0]["jcfed_groups"] == ["Engineering"]
    p = world.jcfed("directory", "show", "--config", str(world.conf))
    assert p.returncode == 0, p.stderr


# ---------------------------------------------------------------------------------------------
# Device side

def test_an_admin_api_key_is_refused_on_a_host_with_the_agent(world, jc):
    world.install_agent()
    jc.add_system(SYSTEM_KEY, public_pem(world.device_key), [user_id(0)])
    for source in ("auto", "api"):
        p = world.sync(source=source)
        assert p.returncode == 1, p.stdout + p.stderr
        assert "runs the JumpCloud agent" in p.stderr and "--admin-host" in p.stderr, p.stderr
        assert jc.fixture["api_key"] not in p.stderr
    assert jc.requests_to("/api/") == []
    assert not world.directory.exists()
    p = world.sync("--admin-host", source="auto")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "users: 250" in p.stdout and "bound to this device: 1 users" in p.stdout
    # Bindings only (--source system) never use the key, so need no --admin-host.
    p = world.sync(source="system")
    assert p.returncode == 0, p.stdout + p.stderr


def fnv_splay(machine_id, seconds):
    h = 0xcbf29ce484222325
    for b in b"jcfed-directory-sync\n" + machine_id.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h % seconds


def test_splay_waits_this_devices_fixed_delay(world, jc):
    ids = [f"{i:032x}" for i in range(200)]
    # The delay is spread over the window.
    spread = [fnv_splay(i, 86400) for i in ids]
    assert max(spread) - min(spread) > 60000
    fast = next(i for i in ids if fnv_splay(i, 4) == 0)
    slow = next(i for i in ids if fnv_splay(i, 4) == 2)
    for mid, expected in ((fast, 0), (slow, 2)):
        f = world.base / "machine-id"
        f.write_text(mid + "\n")
        start = time.monotonic()
        p = world.sync("--splay", "4", "--machine-id-file", str(f))
        assert p.returncode == 0, p.stdout + p.stderr
        assert f"--splay: waiting {expected} s before syncing" in p.stderr, p.stderr
        assert time.monotonic() - start >= expected
    p = world.sync("--splay", "0")
    assert p.returncode != 0 and "--splay" in p.stderr


def test_sync_and_import_are_serialised_by_a_lock(world, jc):
    synced(world)
    export = world.base / "export.json"
    shutil.copy(world.directory, export)
    before = world.directory.read_bytes()
    lock = world.state / "directory.lock"
    assert lock.exists() and (lock.stat().st_mode & 0o777) == 0o600
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        jc.reset()
        args = [str(world.conf)]
        procs = [subprocess.Popen([str(TOOL), *a], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for a in (["directory", "sync", "--config", *args, "--ca-file", str(jc.ca_path), "--source", "api"],
                           ["directory", "import", "--config", *args, str(export)])]
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outs):
            assert p.returncode == 1, out + err
            assert "another jcfed directory sync or import is running" in err, err
        assert jc.requests_to("/api/") == []  # the sync waited before fetching anything
    finally:
        os.close(fd)
    assert world.directory.read_bytes() == before
    p = world.jcfed("directory", "import", "--config", str(world.conf), str(export))
    assert p.returncode == 0, p.stdout + p.stderr


# ---------------------------------------------------------------------------------------------
# The packaged timer

def unit(name):
    c = configparser.ConfigParser(strict=False, interpolation=None)
    c.optionxform = str
    c.read(UNITS / name)
    return c


def test_the_timer_runs_a_scheduled_sync_daily_spread_per_device():
    t = unit("jcfed-directory-sync.timer")
    assert t["Timer"]["OnCalendar"] == "daily"
    assert t["Timer"]["RandomizedDelaySec"] == "1d"
    assert t["Timer"]["FixedRandomDelay"] == "yes"
    assert t["Timer"]["Persistent"] == "yes"
    assert t["Install"]["WantedBy"] == "timers.target"
    s = unit("jcfed-directory-sync.service")
    assert s["Service"]["Type"] == "oneshot"
    assert s["Service"]["ExecStart"] == "/usr/sbin/jcfed directory sync --scheduled"
    assert "[Install]" not in (UNITS / "jcfed-directory-sync.service").read_text()  # started by the timer only
    build = (UNITS / "build.sh").read_text()
    assert "jcfed-directory-sync.timer" in build and "/usr/lib/systemd/system" in build
    # Nothing enables it on install.
    assert "jcfed-directory-sync" not in (UNITS / "postinst").read_text()
    if shutil.which("systemd-analyze"):
        with tempfile.TemporaryDirectory() as d:
            for n in ("jcfed-directory-sync.timer", "jcfed-directory-sync.service"):
                text = (UNITS / n).read_text().replace("/usr/sbin/jcfed", "/bin/true").replace("Documentation=man:jcfed(8)\n", "")
                pathlib.Path(d, n).write_text(text)
            p = subprocess.run(["systemd-analyze", "verify", f"{d}/jcfed-directory-sync.timer"],
                               capture_output=True, text=True, timeout=60)
            assert p.returncode == 0, p.stdout + p.stderr


def test_schedule_enables_the_timer_by_symlink_under_root(world):
    root = pathlib.Path(tempfile.mkdtemp(prefix="jcfed-root-"))
    try:
        os.chmod(root, 0o755)
        p = world.jcfed("directory", "schedule", "enable", "--root", str(root))
        assert p.returncode == 1 and "is not installed" in p.stderr, p.stdout + p.stderr
        units = root / "usr/lib/systemd/system"
        units.mkdir(parents=True)
        shutil.copy(UNITS / "jcfed-directory-sync.timer", units)
        p = world.jcfed("directory", "schedule", "status", "--root", str(root))
        assert p.returncode == 0 and "disabled" in p.stdout, p.stdout + p.stderr
        p = world.jcfed("directory", "schedule", "enable", "--root", str(root))
        assert p.returncode == 0, p.stdout + p.stderr
        link = root / "etc/systemd/system/timers.target.wants/jcfed-directory-sync.timer"
        assert os.readlink(link) == "/usr/lib/systemd/system/jcfed-directory-sync.timer"
        p = world.jcfed("directory", "schedule", "status", "--root", str(root))
        assert "enabled" in p.stdout and "disabled" not in p.stdout, p.stdout
        p = world.jcfed("directory", "schedule", "disable", "--root", str(root))
        assert p.returncode == 0 and not os.path.lexists(link), p.stdout + p.stderr
    finally:
        shutil.rmtree(root, ignore_errors=True)
