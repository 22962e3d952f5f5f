"""`make fleet-sim` in its quick mode: 1,000 devices on a simulated clock run jcfed's real timer
splay, JumpCloud retry policy, discovery/keys cache and device flow (Sources/JCFedFleetSim) through
a normal working day and a day with three incidents (JumpCloud 429 for an hour,
Entra token 429 for the 10 minutes after 9:00, an unannounced signing-key rotation).

The bounds are on simulated time and request counts, never on how fast this machine is."""
import json
import subprocess

import pytest

from conftest import BUILD

SIM = BUILD / "jcfed-fleet-sim"
DEVICES = 1000


@pytest.fixture(scope="module")
def report():
    if not SIM.exists():
        pytest.fail("build/jcfed-fleet-sim is missing: run `make build/jcfed-fleet-sim` first")
    out = subprocess.run([str(SIM), "--quick", "--json"], capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["devices"] == DEVICES
    return r


def endpoints(r, day):
    return r["days"][day]["endpoints"]


def test_the_timer_spreads_the_daily_sync_over_the_day(report):
    day = report["typical_day"]
    jc = endpoints(report, day)["jumpcloud_system_users"]
    # One bindings request per device per day, and never many devices in the same second: with
    # the sync at the same minute everywhere the peak would be N per second.
    assert jc["total"] == DEVICES, jc
    assert jc["peak_per_second"] <= 5, jc
    assert report["days"][day]["sync_failures"] == 0


def test_a_jumpcloud_429_hour_is_not_amplified_and_comes_back_without_a_wave(report):
    inc = report["jumpcloud_incident"]
    day = report["days"][report["incident_day"]]
    due = day["syncs_in_jumpcloud_incident"]
    assert due > 0
    # A scheduled run gives up after 2 answers of 429 (the next run retries): at most 2 requests
    # per sync due in that hour (plus the few retries that spill past its end).
    assert inc["requests"] <= 2 * due + 5, (inc, due)
    assert inc["throttled"] <= 2 * due, (inc, due)
    # The jittered Retry-After spreads the retries: no second with a wave of devices, neither
    # during the hour nor in the hour after it.
    assert inc["peak_per_second"] <= 5, inc
    assert report["jumpcloud_hour_after"]["peak_per_second"] <= 5, report["jumpcloud_hour_after"]
    # The devices whose sync failed are the ones due in that hour, not more.
    assert day["sync_failures"] <= due, day
    # The admin host's org-wide sync (due at 10:20) gives up too and keeps yesterday's file; on a
    # normal day it succeeds with about 900 requests for the whole org, whatever the fleet size.
    assert day["admin_sync_failures"] == 1, day
    typical = report["days"][report["typical_day"]]
    assert typical["admin_sync_failures"] == 0, typical
    admin = sum(endpoints(report, report["typical_day"])[k]["total"]
                for k in ("jumpcloud_systemusers", "jumpcloud_usergroups", "jumpcloud_usergroup_members"))
    assert 200 < admin < 1000, admin


def test_an_entra_token_429_at_the_peak_is_not_amplified(report):
    day = report["days"][report["incident_day"]]
    logins = day["logins_in_token_incident"]
    assert logins > 0 and report["token_incident"]["throttled"] > 0
    per_login = day["token_requests_in_token_incident"] / logins
    # Before 429s were counted per Enter, a throttled login re-polled every interval until login_timeout (18-22 polls);
    # now it waits max(interval, Retry-After) with jittered backoff and each Enter allows few polls.
    assert per_login <= 6, per_login
    # A normal day's logins need about 2 polls each.
    typical = report["days"][report["typical_day"]]
    assert typical["token_requests"] / typical["logins"] <= 3, typical
    # Throttled logins end as unavailable (the offline policy applies), nothing else goes wrong.
    assert set(day["outcomes"]) <= {"signed-in", "idp-throttled"}, day["outcomes"]
    assert day["outcomes"].get("idp-throttled", 0) <= logins


def test_logins_outside_the_incidents_all_succeed_and_keys_rotate_with_one_fetch_per_device(report):
    typical = report["days"][report["typical_day"]]
    assert typical["outcomes"] == {"signed-in": typical["logins"]}, typical["outcomes"]
    # The unannounced rotation: every device that logs in afterwards refreshes its keys once
    # (the forced kid refresh), and no login is refused for the new key.
    assert 0 < report["keys_after_rotation"] <= DEVICES * 1.05, report["keys_after_rotation"]


def test_caches_refresh_about_once_a_day_and_never_all_at_once(report):
    day = report["typical_day"]
    for name in ("discovery", "keys"):
        e = endpoints(report, day)[name]
        # Soft TTL 24 h + a per-device 0-4 h: at most one fetch per device per day.
        assert e["total"] <= DEVICES, (name, e)
        assert e["peak_per_second"] <= 10, (name, e)
