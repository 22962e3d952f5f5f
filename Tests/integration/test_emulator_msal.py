"""The Entra emulator speaks Entra: Microsoft's own MSAL for Python completes its device flow against it.

MSAL is installed from PyPI at a pinned version into a cached virtualenv (system site packages visible, so
requests/cryptography come from the machine when they fit). If the install fails the test FAILS: a
conformance check that silently skips proves nothing. MSAL runs in its own interpreter (the venv's), driven
by the small script below; this process plays the person through the emulator's control API.

Also here: quick checks that each fault switch of the emulator does what tests rely on.
"""

import base64
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulator_proc import (  # noqa: E402
    ALICE_OID, BOB_OID, CONFIDENTIAL_CLIENT, CONFIDENTIAL_SECRET, OTHER_TENANT, PUBLIC_CLIENT, TENANT, Emulator,
    EMULATOR_BIN, default_fixture,
)

MSAL_VERSION = "1.39.0"
MSAL_VENV = os.path.join(
    os.environ.get("JCFED_TEST_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "jcfed")),
    f"msal-{MSAL_VERSION}")

pytestmark = pytest.mark.skipif(
    not os.access(EMULATOR_BIN, os.X_OK), reason="build/jcfed-entra-emulator missing: run `make emulator`")


# --- MSAL in its own virtualenv ------------------------------------------------------------------

def _venv_python():
    return os.path.join(MSAL_VENV, "bin", "python")


def _msal_ready():
    py = _venv_python()
    if not os.access(py, os.X_OK):
        return False
    probe = subprocess.run([py, "-c", f"import msal, sys; sys.exit(msal.__version__ != {MSAL_VERSION!r})"],
                           capture_output=True, timeout=60)
    return probe.returncode == 0


@pytest.fixture(scope="module")
def msal_python():
    if not _msal_ready():
        os.makedirs(os.path.dirname(MSAL_VENV), exist_ok=True)
        steps = [
            [sys.executable, "-m", "venv", "--clear", "--system-site-packages", MSAL_VENV],
            [_venv_python(), "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q",
             f"msal=={MSAL_VERSION}"],
        ]
        for cmd in steps:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                pytest.fail(f"installing MSAL {MSAL_VERSION} failed: {' '.join(cmd)}\n{done.stdout}\n{done.stderr}")
        if not _msal_ready():
            pytest.fail(f"MSAL {MSAL_VERSION} not importable from {MSAL_VENV} after install")
    return _venv_python()


# Runs inside the venv. argv[1] = JSON settings; prints one JSON line with the outcome.
MSAL_DRIVER = r'''
import json, sys, warnings
import msal
s = json.loads(sys.argv[1])
warnings.simplefilter("ignore")
common = dict(authority=s["authority"], instance_discovery=False, verify=s["ca"], timeout=30)
out = {"msal": msal.__version__}
if s["mode"] == "public":
    app = msal.PublicClientApplication(s["client_id"], **common)
    flow = app.initiate_device_flow(scopes=s["scopes"])
    out["flow"] = {k: flow.get(k) for k in ("user_code", "verification_uri", "message", "interval", "expires_in", "error")}
    if "user_code" not in flow:
        print(json.dumps(out)); sys.exit(0)
    flow["expires_at"] = __import__("time").time() + s.get("max_wait", 60)
    result = app.acquire_token_by_device_flow(flow)
    accounts = app.get_accounts()
    out["accounts"] = [{k: a.get(k) for k in ("home_account_id", "username", "environment", "local_account_id", "realm")}
                       for a in accounts]
else:
    # MSAL exposes device flow only on PublicClientApplication; a confidential app's own oauth2 client
    # (the same code path, with client_secret_post added) runs it here.
    app = msal.ConfidentialClientApplication(s["client_id"], client_credential=s["secret"], **common)
    flow = app.client.initiate_device_flow(scope=s["scopes"])
    out["flow"] = {k: flow.get(k) for k in ("user_code", "verification_uri", "message", "interval", "expires_in", "error")}
    if "user_code" not in flow:
        print(json.dumps(out)); sys.exit(0)
    flow["expires_at"] = __import__("time").time() + s.get("max_wait", 60)
    result = app.client.obtain_token_by_device_flow(flow, data={"client_info": "1"})
out["result"] = {k: result.get(k) for k in ("error", "error_description", "error_codes", "token_type", "scope",
                                            "id_token_claims", "client_info")}
out["result"]["has_access_token"] = "access_token" in result
out["result"]["has_refresh_token"] = "refresh_token" in result
out["result"]["id_token"] = result.get("id_token")
print(json.dumps(out))
'''


def run_msal(python, emu, *, mode="public", client_id=PUBLIC_CLIENT, secret=None, scopes=("User.Read",),
             approve_as="alice@contoso.com", decline=False, tenant=TENANT):
    settings = {"mode": mode, "authority": emu.authority(tenant), "client_id": client_id, "secret": secret,
                "ca": emu.ca_path, "scopes": list(scopes), "max_wait": 60}
    # requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a session's `verify` (MSAL's verify=ca):
    # drop them so MSAL trusts exactly the emulator's CA, as it would the system store in production.
    env = {k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
    proc = subprocess.Popen([python, "-c", MSAL_DRIVER, json.dumps(settings)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    person_error = []

    def person():
        try:
            code = emu.wait_for_pending_code(timeout=30)
            time.sleep(1.5)  # let MSAL see authorization_pending at least once
            if decline:
                emu.decline(code["user_code"])
            else:
                emu.approve(approve_as, code["user_code"])
        except Exception as e:  # reported below, with MSAL's output
            person_error.append(e)

    t = threading.Thread(target=person, daemon=True)
    if approve_as or decline:
        t.start()
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"MSAL did not finish\nstdout={out}\nstderr={err}\nemulator log:\n{emu.log_text()}")
    t.join(timeout=5)
    assert proc.returncode == 0, f"MSAL driver failed:\n{err}\nemulator log:\n{emu.log_text()}"
    lines = [line for line in out.splitlines() if line.startswith("{")]
    assert lines, f"no output from MSAL driver:\n{out}\n{err}"
    return json.loads(lines[-1]), person_error


@pytest.fixture
def emu():
    with Emulator() as e:
        yield e


def test_msal_public_client_device_flow(msal_python, emu):
    outcome, person_error = run_msal(msal_python, emu)
    assert not person_error, person_error
    assert outcome["msal"] == MSAL_VERSION
    flow = outcome["flow"]
    assert flow["verification_uri"] == f"{emu.base_url}/devicelogin"
    assert flow["message"] == (f"To sign in, use a web browser to open the page {emu.base_url}/devicelogin "
                               f"and enter the code {flow['user_code']} to authenticate.")
    result = outcome["result"]
    assert result["error"] is None, result
    assert result["token_type"] == "Bearer"
    assert result["has_access_token"] and result["has_refresh_token"]
    claims = result["id_token_claims"]
    assert claims["oid"] == ALICE_OID
    assert claims["tid"] == TENANT
    assert claims["preferred_username"] == "alice@contoso.com"
    assert claims["aud"] == PUBLIC_CLIENT
    assert claims["iss"] == f"{emu.base_url}/{TENANT}/v2.0"
    assert claims["ver"] == "2.0" and claims["xms_edov"] is True
    # MSAL built its account from client_info (uid.utid) and the id token.
    assert outcome["accounts"] == [{
        "home_account_id": f"{ALICE_OID}.{TENANT}", "username": "alice@contoso.com",
        "environment": "127.0.0.1", "local_account_id": ALICE_OID, "realm": TENANT}]

    # What MSAL sent, as the emulator saw it: its scopes, both device-code field spellings, pending polls.
    log = emu.requests()
    paths = [r["path"] for r in log]
    assert f"/{TENANT}/v2.0/.well-known/openid-configuration" in paths
    assert f"/{TENANT}/oauth2/v2.0/devicecode" in paths
    polls = [r for r in log if r["path"].endswith("/oauth2/v2.0/token")]
    assert [p["status"] for p in polls][-1] == 200
    assert any(p["status"] == 400 and p["note"].startswith("authorization_pending") for p in polls)
    assert all(p["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code" for p in polls)
    assert all(p["client_id"] == PUBLIC_CLIENT for p in polls)
    code = emu.codes()[-1]
    assert set(code["scope"].split()) == {"User.Read", "openid", "profile", "offline_access"}
    assert code["status"] == "redeemed" and code["upn"] == "alice@contoso.com"


def test_msal_public_client_declined(msal_python, emu):
    outcome, person_error = run_msal(msal_python, emu, decline=True, approve_as=None)
    assert not person_error, person_error
    result = outcome["result"]
    assert result["error"] == "authorization_declined"
    assert result["error_codes"] == [65004]
    assert "Trace ID: " in result["error_description"] and "Correlation ID: " in result["error_description"]


def test_msal_public_client_as_other_user(msal_python, emu):
    outcome, _ = run_msal(msal_python, emu, approve_as="bob@contoso.com")
    claims = outcome["result"]["id_token_claims"]
    assert claims["oid"] == BOB_OID and claims["preferred_username"] == "bob@contoso.com"
    assert claims["xms_edov"] is False


def test_msal_confidential_client_device_flow(msal_python, emu):
    """Device flow is a public-client flow in MSAL's API (PublicClientApplication only). A confidential
    app's MSAL client still runs it when it sends its secret (client_secret_post): the emulator completes
    that, as the module's `client_secret` mode expects."""
    outcome, person_error = run_msal(msal_python, emu, mode="confidential", client_id=CONFIDENTIAL_CLIENT,
                                     secret=CONFIDENTIAL_SECRET, scopes=["openid", "profile", "offline_access"])
    assert not person_error, person_error
    result = outcome["result"]
    assert result["error"] is None, result
    claims = result["id_token_claims"]
    assert claims["oid"] == ALICE_OID and claims["tid"] == TENANT and claims["aud"] == CONFIDENTIAL_CLIENT


def test_msal_confidential_app_as_public_client_gets_7000218(msal_python, emu):
    """The JumpCloud-guide app (confidential) used without its secret: Entra's AADSTS7000218."""
    outcome, _ = run_msal(msal_python, emu, client_id=CONFIDENTIAL_CLIENT)
    result = outcome["result"]
    assert result["error"] == "invalid_client" and result["error_codes"] == [7000218], result
