"""Full federated logins through real libpam, real libcurl/OpenSSL, the Entra emulator
over TLS with its own CA."""
import os
import re
import time

import pytest

from conftest import TENANT, interactive_login


def approve_as(env, upn):
    return lambda code: env.emulator.approve(upn, user_code=code)


def test_success(idp):
    idp.emulator.faults(interval=1)
    run = interactive_login(idp, "alice", approve_as(idp, "alice@contoso.com"))
    assert run.codes == {"auth": "PAM_SUCCESS", "acct": "PAM_SUCCESS"}, run.output
    assert run.user_code and run.user_code in run.output
    assert "Signed in as alice@contoso.com" in run.output
    assert "result=success" in run.log
    # The code and the URL were shown in the first prompt's text (OpenSSH shows info only with a prompt).
    assert re.search(r"https://127\.0\.0\.1:\d+/devicelogin", run.output)


def test_declined(idp):
    idp.emulator.faults(interval=1)
    run = interactive_login(idp, "alice", lambda code: idp.emulator.control(
        "POST", "/_control/decline", {"user_code": code}))
    assert run.codes["auth"] == "PAM_AUTH_ERR", run.output
    assert "declined" in run.output.lower()


def test_expired_code(idp):
    idp.emulator.faults(interval=1, expires_in=2)
    run = interactive_login(idp, "alice", lambda code: time.sleep(3))
    assert run.codes["auth"] == "PAM_AUTH_ERR", run.output
    assert "expired" in run.output.lower()


def test_token_for_another_user_is_refused(idp):
    idp.emulator.faults(interval=1)
    run = interactive_login(idp, "alice", approve_as(idp, "bob@contoso.com"))
    assert run.codes["auth"] == "PAM_AUTH_ERR", run.output
    assert "not allowed to log in as alice" in run.output
    assert "bob" in run.log


def test_slow_down_is_honoured(idp):
    idp.emulator.faults(interval=1, slow_down=1)
    run = interactive_login(idp, "alice", approve_as(idp, "alice@contoso.com"))
    assert run.codes["auth"] == "PAM_SUCCESS", run.output
    polls = [r for r in idp.emulator.requests() if r["path"].endswith("/oauth2/v2.0/token")]
    assert len(polls) >= 2, polls
    # The poll after slow_down waited the interval plus 5 seconds (RFC 8628 §3.5).
    gap = (polls[1]["t_ms"] - polls[0]["t_ms"]) / 1000
    assert gap >= 6 - 0.05, f"second poll {gap:.2f}s after slow_down"


@pytest.mark.parametrize("fault", ["wrong_aud", "wrong_iss", "wrong_tid", "expired", "future_nbf",
                                   "alg_none", "hs256", "unknown_kid", "tampered_signature",
                                   "missing_oid", "missing_tid", "missing_exp", "aud_array_no_azp"])
def test_bad_tokens_are_refused(idp, fault):
    idp.emulator.faults(interval=1, token_fault=fault)
    run = interactive_login(idp, "alice", approve_as(idp, "alice@contoso.com"))
    assert run.codes["auth"] == "PAM_AUTH_ERR", run.output
    assert "Signed in" not in run.output
    assert "token" in run.log.lower()


def test_idp_down_is_authinfo_unavail_quickly(pam_env):
    pam_env.write_config(idp={"url": f"https://127.0.0.1:1/{TENANT}", "http_timeout": "3"})
    start = time.monotonic()
    codes, out, log = pam_env.run("alice")
    assert codes["auth"] == "PAM_AUTHINFO_UNAVAIL", out + log
    assert time.monotonic() - start < 3 + 5


def test_idp_that_never_answers_times_out(idp):
    idp.emulator.faults(hang=True)
    start = time.monotonic()
    codes, out, log = idp.run("alice")
    assert codes["auth"] == "PAM_AUTHINFO_UNAVAIL", out + log
    assert time.monotonic() - start < 3 + 5


def test_not_routed_user_makes_no_request(idp):
    idp.write_config(idp={"url": idp.emulator.authority(TENANT), "ca_file": str(idp.emulator.ca_path)},
                     routing={"groups": "federated"})
    before = len(idp.emulator.requests())
    codes, _, _ = idp.run("dave", op="auth+acct")
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_IGNORE"}
    assert len(idp.emulator.requests()) == before


def test_untrusted_ca_fails_closed(idp):
    idp.write_config(idp={"url": idp.emulator.authority(TENANT), "ca_file": None})
    codes, out, log = idp.run("alice")
    assert codes["auth"] == "PAM_AUTHINFO_UNAVAIL", out + log
    assert "TLS" in log


def paths(requests):
    out = []
    for r in requests:
        p = r["path"]
        out.append("discovery" if "openid-configuration" in p else "keys" if p.endswith("/keys")
                   else "devicecode" if p.endswith("/devicecode") else "token" if p.endswith("/token") else p)
    return out


def test_warm_cache_makes_no_discovery_or_keys_request(idp):
    idp.emulator.faults(interval=1)
    first = interactive_login(idp, "alice", approve_as(idp, "alice@contoso.com"))
    assert first.codes["auth"] == "PAM_SUCCESS", first.output
    cold = paths(idp.emulator.requests())
    assert cold.count("discovery") == 1 and cold.count("keys") == 1, cold
    idp.emulator.control("POST", "/_control/reset", {})
    idp.emulator.faults(interval=1)
    second = interactive_login(idp, "alice", approve_as(idp, "alice@contoso.com"))
    assert second.codes["auth"] == "PAM_SUCCESS", second.output
    warm = paths(idp.emulator.requests())
    assert "discovery" not in warm and "keys" not in warm, warm
    assert warm[0] == "devicecode"
    # Cache files are root-only.
    for f in idp.cache.iterdir():
        assert f.stat().st_mode & 0o077 == 0, f


def test_key_rotation_refetches_keys_once(idp):
    idp.emulator.faults(interval=1)
    warmup = interactive_login(idp, "alice", approve_as(idp, "alice@contoso.com"))
    assert warmup.codes["auth"] == "PAM_SUCCESS", warmup.output
    idp.emulator.rotate_keys()
    idp.emulator.control("POST", "/_control/reset", {})
    idp.emulator.faults(interval=1)
    run = interactive_login(idp, "alice", approve_as(idp, "alice@contoso.com"))
    assert run.codes["auth"] == "PAM_SUCCESS", run.output + run.log
    seen = paths(idp.emulator.requests())
    assert seen.count("keys") == 1, seen
    assert "discovery" not in seen, seen


def test_confidential_app_sends_its_secret(idp):
    secret = idp.etc / "client_secret"
    secret.write_text("confidential-secret-value\n")
    os.chmod(secret, 0o600)
    fixture_app = [a for t in idp.emulator.fixture["tenants"] for a in t["apps"] if a.get("secret")][0]
    secret.write_text(fixture_app["secret"] + "\n")
    idp.write_config(idp={"url": idp.emulator.authority(TENANT), "ca_file": str(idp.emulator.ca_path),
                          "client_id": fixture_app["client_id"], "client_secret_file": str(secret)})
    idp.emulator.faults(interval=1)
    run = interactive_login(idp, "alice", approve_as(idp, "alice@contoso.com"))
    assert run.codes["auth"] == "PAM_SUCCESS", run.output + run.log
    assert fixture_app["secret"] not in run.output + run.log


def test_confidential_app_without_secret_names_aadsts7000218(idp):
    fixture_app = [a for t in idp.emulator.fixture["tenants"] for a in t["apps"] if a.get("secret")][0]
    idp.write_config(idp={"url": idp.emulator.authority(TENANT), "ca_file": str(idp.emulator.ca_path),
                          "client_id": fixture_app["client_id"]})
    idp.emulator.faults(interval=1)
    run = interactive_login(idp, "alice", approve_as(idp, "alice@contoso.com"))
    assert run.codes["auth"] == "PAM_SERVICE_ERR", run.output + run.log
    assert "7000218" in run.log


@pytest.mark.parametrize("conv", ["fail", "null"])
def test_conversation_failure_ends_the_attempt_at_once(idp, conv):
    """A conversation error, or no answer where one is needed, is PAM_CONV_ERR, never a hang."""
    idp.emulator.faults(interval=1)
    start = time.monotonic()
    codes, out, log = idp.run("alice", conv=conv)
    assert codes["auth"] == "PAM_CONV_ERR", out + log
    assert time.monotonic() - start < 10
    polls = [r for r in idp.emulator.requests() if r["path"].endswith("/token")]
    assert polls == [], "no poll may happen before the person has seen the code"


def test_person_who_never_presses_enter_gets_conv_err_on_eof(idp):
    """The host closes the conversation (stdin EOF in pamrun): the attempt ends at once."""
    idp.emulator.faults(interval=1)
    run = interactive_login(idp, "alice", None, max_enters=0)
    assert run.codes["auth"] == "PAM_CONV_ERR", run.output
