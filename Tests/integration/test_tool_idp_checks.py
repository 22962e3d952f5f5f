"""`jcfed idp test` (and the checks `jcfed enable` runs) against the Entra emulator over real TLS
(its own CA as the root's ca_file): it answers like Entra does for public and confidential app
registrations (AADSTS7000218 / 700025) and unknown tenants and clients; its faults serve a weak key
(`weak_keys`) or name another issuer (`issuer_mismatch`); libfaketime moves the tool's clock for the
clock check. The full sign-in of `idp test --user` is in test_tool_emulator.py.
"""
import re
import shutil
import subprocess

import pytest

from conftest import CLIENT, CONFIDENTIAL_CLIENT, SECRET, TOOL, assert_golden, jcfed, secret_file

# Entra's device codes (and the emulator's) start with this: none may reach the admin's terminal.
DEVICE_CODE_PREFIX = "DAQABIQEAAAD"


def entra_requests(emu):
    """(method, endpoint, entry) of every request the emulator answered, in order."""
    return [(q["method"], q["path"], q) for q in emu.requests()]


def confidential(root):
    """Switches the root to the confidential app registration of the emulator's tenant."""
    assert jcfed(root, "idp", "update", "--client-id", CONFIDENTIAL_CLIENT).returncode == 0


def faketime_jcfed(offset, root, *args):
    """jcfed with its clock moved by `offset` (libfaketime), the IdP's clock untouched."""
    cmd = ["faketime", "-f", offset, str(TOOL), "--root", str(root), *args]
    return subprocess.run(cmd, input="", capture_output=True, text=True, timeout=120)


def lines(r):
    return [x for x in r.stdout.splitlines() if x.startswith("[")]


def test_public_client_passes_every_check(idp_root, entra):
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 0, r.stdout + r.stderr
    got = lines(r)
    assert [x[:6] for x in got] == ["[ OK ]"] * 6, got
    assert "discovery reachable over verified TLS" in got[1]
    assert got[2] == f"[ OK ] issuer matches: {entra.url}/v2.0"
    assert got[3] == "[ OK ] signing keys fetched: 2 (2 RSA, >= 2048 bits)"
    assert got[4].startswith("[ OK ] clock within")
    assert got[5] == "[ OK ] device code flow allowed (public client, no secret needed)"
    # The device code and user code are asked for but never shown.
    user_codes = [c["user_code"] for c in entra.codes()]
    assert len(user_codes) == 1
    assert DEVICE_CODE_PREFIX not in r.stdout + r.stderr and user_codes[0] not in r.stdout + r.stderr
    posts = [q for q in entra_requests(entra) if q[0] == "POST"]
    assert [p[1].rsplit("/", 1)[1] for p in posts] == ["devicecode", "token"]
    assert (posts[0][2]["client_id"], posts[0][2]["scope"], posts[0][2]["client_auth"]) == \
        (CLIENT, "openid profile email", None)


def test_confidential_app_without_secret_is_told_apart(idp_root, entra):
    confidential(idp_root)
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 1
    fail = lines(r)[-1]
    assert fail.startswith("[FAIL] token request refused: invalid_client (AADSTS7000218, HTTP 401)"), fail
    assert re.search(r"correlation id [0-9a-f]{8}-", fail), fail
    assert "-> the app registration is confidential" in fail and "--client-secret-file" in fail


def test_confidential_app_with_secret(idp_root, entra, tmp_path):
    confidential(idp_root)
    assert jcfed(idp_root, "idp", "update", "--client-secret-file", secret_file(tmp_path)).returncode == 0
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 0, r.stdout
    assert lines(r)[-1] == "[ OK ] device code flow allowed (confidential client, secret accepted)"
    token = [q for q in entra_requests(entra) if q[1].endswith("/token")][-1]
    assert token[2]["client_auth"] == "client_secret_post"  # sent to the IdP (accepted: the right one) ...
    assert SECRET not in r.stdout + r.stderr     # ... and never shown


def test_public_app_with_a_secret_is_told_apart(idp_root, entra, tmp_path):
    assert jcfed(idp_root, "idp", "update", "--client-secret-file", secret_file(tmp_path)).returncode == 0
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 1
    fail = lines(r)[-1]
    assert "AADSTS700025" in fail and "--no-client-secret" in fail


def test_unknown_client_id(idp_root, entra):
    jcfed(idp_root, "idp", "update", "--client-id", "99999999-8888-7777-6666-555555555555")
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 1
    assert "AADSTS700016" in lines(r)[-1] and "--client-id" in lines(r)[-1]


def test_tls_is_verified(idp_root, entra):
    """Without the test CA the IdP's certificate does not verify: a failed check, not a skipped one."""
    assert jcfed(idp_root, "idp", "update", "--ca-file", "").returncode == 0
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 1
    assert lines(r)[1].startswith("[FAIL] discovery") and "TLS verification failed" in lines(r)[1]
    assert "--ca-file" in lines(r)[1]
    assert not entra.requests()


@pytest.mark.skipif(shutil.which("faketime") is None, reason="faketime (Debian: faketime) is installed by make deps")
def test_clock_skew_warns(idp_root, entra):
    # This machine 300 s behind the IdP.
    r = faketime_jcfed("-300s", idp_root, "idp", "test")
    assert r.returncode == 0  # a warning, not a failure
    warn = [x for x in lines(r) if x.startswith("[WARN]")]
    assert len(warn) == 1 and "allowed skew 60 s" in warn[0], warn
    # Both clocks are read with one-second resolution: -299 to -301.
    assert re.search(r"clock differs from the IdP by -(299|300|301) s", warn[0]), warn


def test_weak_signing_key_fails(idp_root, entra):
    entra.faults(weak_keys=True)
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 1
    assert "[FAIL] signing keys: none usable" in r.stdout
    assert "k1: RSA key of 1024 bits is shorter than 2048" in r.stdout


def test_issuer_of_another_tenant_fails(idp_root, entra):
    entra.faults(issuer_mismatch=True)
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 1
    assert lines(r)[2].startswith("[FAIL] discovery issuer 'https://127.0.0.1:"), lines(r)
    assert "-> the url must be" in lines(r)[2]


def test_unknown_tenant(idp_root, entra):
    url = entra.authority("99999999-9999-4999-8999-999999999999")
    assert jcfed(idp_root, "idp", "update", "--url", url).returncode == 0
    r = jcfed(idp_root, "idp", "test")
    assert r.returncode == 1
    assert "invalid_request (AADSTS90002, HTTP 400)" in lines(r)[1] and "no such tenant" in lines(r)[1]


def test_enable_runs_the_checks_and_passes(idp_root, entra):
    r = jcfed(idp_root, "enable", "--yes", "--services", "sshd,login")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[ OK ] device code flow allowed" in r.stdout
    assert_golden(idp_root, "debian12/expected/services-local-password", ["etc/pam.d/sshd", "etc/pam.d/login"])


def test_enable_refuses_a_confidential_app_without_its_secret(idp_root, entra):
    confidential(idp_root)
    before = (idp_root / "etc/pam.d/sshd").read_text()
    r = jcfed(idp_root, "enable", "--yes", "--services", "sshd")
    assert r.returncode == 2 and "AADSTS7000218" in r.stdout
    assert (idp_root / "etc/pam.d/sshd").read_text() == before
