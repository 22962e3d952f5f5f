"""The module under throttling, and caches that serve stale, through real
libpam (pamrun), the real module, real libcurl/OpenSSL, against the Entra emulator's fault controls.

- A token endpoint that answers 429 for ever used to be polled every interval until login_timeout
  without waiting for Enter (18-22 polls instead of ~1.6 per login); now every poll, throttled or
  not, counts against the two polls one Enter allows, waits are backed off with jitter, and the
  login ends as idp-throttled (PAM_AUTHINFO_UNAVAIL) once the next wait does not fit.
- An expired cache plus an IdP outage used to fail the login although yesterday's discovery and
  keys still verify; now a copy within idp.cache_max_stale is used, with a LOG_WARNING line.
"""
import time

from conftest import TENANT, interactive_login

ALICE = "alice@contoso.com"
UNAVAIL = "PAM_AUTHINFO_UNAVAIL"


def token_requests(emu):
    return [r for r in emu.requests() if r["path"].endswith("/oauth2/v2.0/token")]


def test_persistent_token_429_polls_only_per_enter_and_ends_throttled(idp):
    emu = idp.emulator
    idp.write_config(idp={"url": emu.authority(TENANT), "ca_file": str(emu.ca_path),
                          "http_timeout": "3", "login_timeout": "40"})
    emu.faults(interval=1)

    def throttle(code):
        emu.faults(interval=1, paths=["token"], status=429)
        emu.approve(ALICE, user_code=code)

    # A person who presses Enter every 3 s (faster than anyone reads the prompt).
    run = interactive_login(idp, "alice", throttle, op="auth", enter_delay=3.0, timeout=120)
    detail = f"{run.seconds:.1f}s, {run.prompts} prompts\n{run.output}\n{run.log}"
    assert run.codes.get("auth") == UNAVAIL, detail
    tokens = token_requests(emu)
    assert tokens, detail
    # Never more polls than two per Enter (today's main: ~1 per second after a single Enter).
    assert len(tokens) <= 2 * run.prompts, f"{len(tokens)} polls: {detail}"
    assert len(tokens) <= 10, f"{len(tokens)} polls: {detail}"
    # Backed off: the gaps between polls grow beyond the 1 s interval.
    gaps = [b["t_ms"] - a["t_ms"] for a, b in zip(tokens, tokens[1:])]
    assert all(g >= 900 for g in gaps), gaps
    assert max(gaps, default=0) >= 3_500, gaps
    assert "reason=idp-throttled" in run.log, detail
    assert "throttling" in run.log and "HTTP 429" in run.log, detail
    assert "The sign-in service cannot be reached" in run.output, detail
    # Ends when the next wait no longer fits, not after all of login_timeout.
    assert run.seconds < 40 + 10, detail


def age_cache(cache_dir, seconds):
    """Moves the fetch time recorded in every cache file `seconds` into the past."""
    n = 0
    for f in cache_dir.iterdir():
        if not f.name.endswith(".json"):
            continue
        lines = f.read_bytes().split(b"\n", 2)
        lines[1] = str(int(time.time()) - seconds).encode()
        f.write_bytes(b"\n".join(lines))
        n += 1
    return n


def test_stale_cache_serves_when_the_idp_fails_until_cache_max_stale(idp):
    emu = idp.emulator
    emu.faults(interval=1)
    warm = interactive_login(idp, "alice", lambda code: emu.approve(ALICE, user_code=code), op="auth")
    assert warm.codes.get("auth") == "PAM_SUCCESS", warm.output
    # Three days later, discovery and keys are past their lifetime (24 h + at most 4 h)...
    assert age_cache(idp.cache, 3 * 86_400) == 2
    emu.reset()
    # ...and the IdP's metadata endpoints are down: the device flow itself still works.
    emu.faults(interval=1, paths=["discovery", "keys"], status=503)
    run = interactive_login(idp, "alice", lambda code: emu.approve(ALICE, user_code=code), op="auth")
    detail = run.output + "\n" + run.log
    assert run.codes.get("auth") == "PAM_SUCCESS", detail
    assert "discovery document could not be refreshed" in run.log, detail
    assert "using the cached copy fetched 72 h ago" in run.log, detail
    assert [r["status"] for r in emu.requests() if "openid-configuration" in r["path"]][:1] == [503]

    # Past idp.cache_max_stale (here 5 days): the outage is reported, no stale copy is used.
    idp.write_config(idp={"url": emu.authority(TENANT), "ca_file": str(emu.ca_path), "cache_max_stale": "432000"})
    assert age_cache(idp.cache, 6 * 86_400) == 2
    run = interactive_login(idp, "alice", lambda code: emu.approve(ALICE, user_code=code), op="auth")
    assert run.codes.get("auth") == UNAVAIL, run.output + run.log
    assert "could not be refreshed" not in run.log


def test_aadsts50196_user_throttle_is_unavailable_not_a_refusal(idp):
    # Entra's user-facing throttle answers the token request with invalid_grant + AADSTS50196
    # (the emulator's user_throttled fault). Before this was handled it was a Conditional Access refusal
    # (PAM_AUTH_ERR, no fallback); it is "the IdP is not available now": PAM_AUTHINFO_UNAVAIL,
    # reason idp-throttled, so the stack's offline policy applies.
    emu = idp.emulator

    def throttle(code):
        emu.faults(interval=1, user_throttled=True)
        emu.approve(ALICE, user_code=code)

    run = interactive_login(idp, "alice", throttle, op="auth", timeout=120)
    detail = f"{run.output}\n{run.log}"
    assert run.codes.get("auth") == UNAVAIL, detail
    tokens = token_requests(emu)
    assert tokens and all(t["status"] == 400 for t in tokens), tokens
    assert "reason=idp-throttled" in run.log, detail
    assert "AADSTS50196" in run.log, detail
    assert "reason=conditional-access" not in run.log, detail
