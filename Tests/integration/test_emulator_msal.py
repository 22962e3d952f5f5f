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
import urllib.parse

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



@pytest.fixture(scope="module", autouse=True)
def emulator_binary():
    """Locally a missing binary skips (run `make emulator`); in CI it fails: a skipped conformance test
    proves nothing."""
    if not os.access(EMULATOR_BIN, os.X_OK):
        message = f"{EMULATOR_BIN} missing: run `make emulator`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


# --- MSAL in its own virtualenv ------------------------------------------------------------------

MSAL_TARGET = MSAL_VENV + "-target"  # fallback when the interpreter has no venv module


def _venv_python():
    return os.path.join(MSAL_VENV, "bin", "python")


def _msal_ready(cmd):
    if not os.access(cmd[0], os.X_OK):
        return False
    probe = subprocess.run(cmd + ["-c", f"import msal, sys; sys.exit(msal.__version__ != {MSAL_VERSION!r})"],
                           capture_output=True, timeout=60)
    return probe.returncode == 0


def _run_steps(steps):
    for cmd in steps:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            return f"{' '.join(cmd)}\n{done.stdout}\n{done.stderr}"
    return None


@pytest.fixture(scope="module")
def msal_python():
    """The command (a list) that runs a Python with the pinned MSAL importable."""
    venv_cmd = [_venv_python()]
    target_cmd = [sys.executable, "-E", "-c",
                  f"import sys; sys.path.insert(0, {MSAL_TARGET!r}); exec(sys.argv.pop(1))"]
    if _msal_ready(venv_cmd):
        return venv_cmd
    os.makedirs(os.path.dirname(MSAL_VENV), exist_ok=True)
    pip = ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", f"msal=={MSAL_VERSION}"]
    failure = _run_steps([[sys.executable, "-m", "venv", "--clear", "--system-site-packages", MSAL_VENV],
                          venv_cmd + pip])
    if failure is None and _msal_ready(venv_cmd):
        return venv_cmd
    failure_target = _run_steps([[sys.executable] + pip + ["--target", MSAL_TARGET, "--upgrade"]])
    if failure_target is None:
        probe = subprocess.run(target_cmd + [f"import msal, sys; sys.exit(msal.__version__ != {MSAL_VERSION!r})"],
                               capture_output=True, timeout=60)
        if probe.returncode == 0:
            return target_cmd
    pytest.fail(f"installing MSAL {MSAL_VERSION} failed (a conformance test must not skip):\n"
                f"venv: {failure}\ntarget: {failure_target}")


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
    argv = python + (["-c"] if len(python) == 1 else []) + [MSAL_DRIVER, json.dumps(settings)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
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


# --- The emulator's own behaviour: Entra errors and every fault switch --------------------------------

import http.client  # noqa: E402


@pytest.fixture(scope="module")
def shared():
    with Emulator() as e:
        yield e


@pytest.fixture
def em(shared):
    shared.reset()
    yield shared
    shared.reset()


def raw(emu, method, path, fields=None, timeout=10, headers=None):
    """One request without redirects or retries: (status, headers dict (lower-case), body bytes)."""
    conn = http.client.HTTPSConnection("127.0.0.1", emu.port, context=emu.ssl_context, timeout=timeout)
    try:
        body = None
        h = dict(headers or {})
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def discovery_path(tenant=TENANT):
    return f"/{tenant}/v2.0/.well-known/openid-configuration"


def devicecode(emu, client_id=PUBLIC_CLIENT, scope="openid profile email", tenant=TENANT, **extra):
    fields = {"client_id": client_id, "scope": scope, **extra}
    status, _, body = raw(emu, "POST", f"/{tenant}/oauth2/v2.0/devicecode", fields)
    return status, json.loads(body)


def poll(emu, device_code, client_id=PUBLIC_CLIENT, tenant=TENANT, grant="urn:ietf:params:oauth:grant-type:device_code",
         **extra):
    fields = {"grant_type": grant, "client_id": client_id, "device_code": device_code, **extra}
    status, headers, body = raw(emu, "POST", f"/{tenant}/oauth2/v2.0/token", fields)
    return status, headers, body


def b64json(part):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def jwt_parts(token):
    h, p, sig = token.split(".")
    return b64json(h), b64json(p), sig


def signed_in_token(emu, upn="alice@contoso.com", **poll_extra):
    _, flow = devicecode(emu)
    emu.approve(upn, flow["user_code"])
    status, _, body = poll(emu, flow["device_code"], **poll_extra)
    assert status == 200, body
    return json.loads(body)


def verify_rs256(token, jwks):
    """True when a JWKS key with the token's kid verifies its RS256 signature."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.exceptions import InvalidSignature
    header, _, sig = jwt_parts(token)
    key = next((k for k in jwks["keys"] if k["kid"] == header.get("kid")), None)
    if key is None or header.get("alg") != "RS256":
        return False
    n = int.from_bytes(base64.urlsafe_b64decode(key["n"] + "=" * (-len(key["n"]) % 4)), "big")
    e = int.from_bytes(base64.urlsafe_b64decode(key["e"] + "=" * (-len(key["e"]) % 4)), "big")
    public = rsa.RSAPublicNumbers(e, n).public_key()
    signing_input = token.rsplit(".", 1)[0].encode()
    try:
        public.verify(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)), signing_input, padding.PKCS1v15(),
                      hashes.SHA256())
        return True
    except InvalidSignature:
        return False


def keys(emu):
    return json.loads(raw(emu, "GET", f"/{TENANT}/discovery/v2.0/keys")[2])


def test_discovery_documents(em):
    status, headers, body = raw(em, "GET", discovery_path())
    doc = json.loads(body)
    assert status == 200 and headers["cache-control"] == "max-age=86400, private"
    base = em.base_url
    assert doc["issuer"] == f"{base}/{TENANT}/v2.0"
    assert doc["token_endpoint"] == f"{base}/{TENANT}/oauth2/v2.0/token"
    assert doc["device_authorization_endpoint"] == f"{base}/{TENANT}/oauth2/v2.0/devicecode"
    assert doc["jwks_uri"] == f"{base}/{TENANT}/discovery/v2.0/keys"
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["token_endpoint_auth_methods_supported"] == ["client_secret_post", "private_key_jwt", "client_secret_basic"]
    for field in ("authorization_endpoint", "response_types_supported", "scopes_supported", "subject_types_supported",
                  "claims_supported", "tenant_region_scope", "cloud_instance_name", "msgraph_host", "rbac_url",
                  "frontchannel_logout_supported", "http_logout_supported", "request_uri_parameter_supported",
                  "kerberos_endpoint", "end_session_endpoint", "userinfo_endpoint"):
        assert field in doc, field
    for alias in ("common", "organizations"):
        doc = json.loads(raw(em, "GET", discovery_path(alias))[2])
        assert doc["issuer"] == f"{base}/{{tenantid}}/v2.0"
    # A verified domain resolves to the tenant's GUID issuer, like Entra.
    assert json.loads(raw(em, "GET", discovery_path("contoso.com"))[2])["issuer"] == f"{base}/{TENANT}/v2.0"
    status, _, body = raw(em, "GET", discovery_path("99999999-9999-9999-9999-999999999999"))
    err = json.loads(body)
    assert status == 400 and err["error"] == "invalid_request" and err["error_codes"] == [90002]
    status, _, body = raw(em, "GET", "/common/discovery/instance?api-version=1.1&authorization_endpoint="
                          + urllib.parse.quote(f"{base}/{TENANT}/oauth2/v2.0/authorize"))
    inst = json.loads(body)
    assert inst["tenant_discovery_endpoint"] == f"{base}/{TENANT}/v2.0/.well-known/openid-configuration"
    assert inst["api-version"] == "1.1" and f"127.0.0.1:{em.port}" in inst["metadata"][0]["aliases"]


def test_keys_are_rsa_2048_with_x5c_and_issuer_template(em):
    jwks = keys(em)
    assert len(jwks["keys"]) == 2
    for k in jwks["keys"]:
        assert k["kty"] == "RSA" and k["use"] == "sig" and k["kid"] == k["x5t"] and k["e"] == "AQAB"
        assert len(base64.urlsafe_b64decode(k["n"] + "=" * (-len(k["n"]) % 4))) == 256
        assert k["issuer"] == f"{em.base_url}/{{tenantid}}/v2.0"
        assert "alg" not in k
        base64.b64decode(k["x5c"][0], validate=True)


def test_devicecode_and_token_success_shape(em):
    status, flow = devicecode(em, scope="openid profile offline_access")
    assert status == 200
    assert list(flow) == ["user_code", "device_code", "verification_uri", "expires_in", "interval", "message"]
    assert len(flow["user_code"]) == 9 and all(c in "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" for c in flow["user_code"])
    assert len(flow["device_code"]) > 100 and flow["expires_in"] == 900 and flow["interval"] == 1
    em.approve("carol@contoso.com")  # newest pending code
    status, _, body = poll(em, flow["device_code"], grant="device_code", client_info="1")
    tok = json.loads(body)
    assert status == 200 and tok["token_type"] == "Bearer" and "refresh_token" in tok
    assert tok["expires_in"] == 3599 and tok["ext_expires_in"] == 3599
    assert b64json(tok["client_info"]) == {"uid": "0a1b2c3d-0000-4000-8000-0000000ca201", "utid": TENANT}
    header, claims, _ = jwt_parts(tok["id_token"])
    assert header["alg"] == "RS256" and header["kid"] in [k["kid"] for k in keys(em)["keys"]]
    assert verify_rs256(tok["id_token"], keys(em))
    assert claims["exp"] - claims["iat"] == 3600 and claims["nbf"] == claims["iat"]
    for absent in ("email", "xms_edov", "groups"):  # carol has none of them
        assert absent not in claims
    assert "nonce" in jwt_parts(tok["access_token"])[0] and not verify_rs256(tok["access_token"], keys(em))
    # Redeemed once only.
    status, _, body = poll(em, flow["device_code"])
    assert status == 400 and json.loads(body)["error"] == "invalid_grant"


def test_sub_is_pairwise_per_app(em):
    a = jwt_parts(signed_in_token(em)["id_token"])[1]
    _, flow = devicecode(em, client_id=CONFIDENTIAL_CLIENT, client_secret=CONFIDENTIAL_SECRET)
    em.approve("alice@contoso.com", flow["user_code"])
    status, _, body = poll(em, flow["device_code"], client_id=CONFIDENTIAL_CLIENT, client_secret=CONFIDENTIAL_SECRET)
    b = jwt_parts(json.loads(body)["id_token"])[1]
    assert a["oid"] == b["oid"] and a["sub"] != b["sub"]
    assert a["groups"] == ["5e6f0000-0000-4000-8000-0000000000a1"] and a["email"] == "alice@contoso.com"


def entra_error(answer):
    """(status, error dict) from poll()'s (status, headers, body) or devicecode()'s (status, dict)."""
    if len(answer) == 2:
        return answer
    return answer[0], json.loads(answer[2])


def test_entra_errors(em):
    _, flow = devicecode(em)
    dc = flow["device_code"]
    status, err = entra_error(poll(em, dc))
    assert status == 400 and err["error"] == "authorization_pending" and err["error_codes"] == [70016]
    assert list(err) == ["error", "error_description", "error_codes", "timestamp", "trace_id", "correlation_id", "error_uri"]
    lines = err["error_description"].split("\r\n")
    assert lines[0].startswith("AADSTS70016: ") and lines[1] == f"Trace ID: {err['trace_id']}"
    assert lines[2] == f"Correlation ID: {err['correlation_id']}" and lines[3] == f"Timestamp: {err['timestamp']}"
    # Client authentication, as Entra answers it.
    status, err = entra_error(poll(em, dc, client_secret="x"))
    assert status == 401 and err["error"] == "invalid_client" and err["error_codes"] == [700025]
    status, err = entra_error(poll(em, dc, client_id=CONFIDENTIAL_CLIENT))
    assert status == 401 and err["error_codes"] == [7000218]
    status, err = entra_error(poll(em, dc, client_id=CONFIDENTIAL_CLIENT, client_secret="wrong"))
    assert status == 401 and err["error_codes"] == [7000215]
    status, err = entra_error(poll(em, dc, client_id="12345678-1234-1234-1234-123456789012"))
    assert status == 400 and err["error"] == "unauthorized_client" and err["error_codes"] == [700016]
    status, err = entra_error(devicecode(em, scope=""))
    assert status == 400 and err["error"] == "invalid_request" and err["error_codes"] == [900144]
    status, err = entra_error(devicecode(em, tenant="99999999-9999-9999-9999-999999999999"))
    assert status == 400 and err["error_codes"] == [90002]
    status, err = entra_error(poll(em, "DAQABIQEAAADnot-a-real-code"))
    assert status == 400 and err["error"] == "bad_verification_code"
    status, err = entra_error(poll(em, dc, grant="password"))
    assert status == 400 and err["error"] == "unsupported_grant_type"
    # A code of one tenant is unknown in another.
    status, err = entra_error(poll(em, dc, tenant=OTHER_TENANT, client_id="dddddddd-0000-1111-2222-444444444444"))
    assert err["error"] == "bad_verification_code"
    # Client secret via HTTP Basic works too (client_secret_basic).
    _, flow = devicecode(em, client_id=CONFIDENTIAL_CLIENT)
    em.approve("bob@contoso.com")
    basic = base64.b64encode(f"{CONFIDENTIAL_CLIENT}:{urllib.parse.quote(CONFIDENTIAL_SECRET)}".encode()).decode()
    status, _, body = raw(em, "POST", f"/{TENANT}/oauth2/v2.0/token",
                          {"grant_type": "device_code", "client_id": CONFIDENTIAL_CLIENT, "code": flow["device_code"]},
                          headers={"Authorization": "Basic " + basic})
    assert status == 200, body


def test_declined_and_expired(em):
    _, flow = devicecode(em)
    em.decline(flow["user_code"])
    status, err = entra_error(poll(em, flow["device_code"]))
    assert status == 400 and err["error"] == "authorization_declined"
    em.faults(expires_in=1, interval=3)
    _, flow = devicecode(em)
    assert flow["expires_in"] == 1 and flow["interval"] == 3
    time.sleep(1.2)
    status, err = entra_error(poll(em, flow["device_code"]))
    assert status == 400 and err["error"] == "expired_token" and err["error_codes"] == [70020]


def test_devicelogin_page_flow(em):
    status, _, page = raw(em, "GET", "/devicelogin")
    assert status == 200 and b'name="otc"' in page
    status, _, page = raw(em, "POST", "/devicelogin", {"otc": "NOTACODE1"})
    assert status == 400 and b"didn&#39;t work" in page
    _, flow = devicecode(em)
    status, _, page = raw(em, "POST", "/devicelogin", {"otc": flow["user_code"].lower()})
    assert status == 200 and b"bob@contoso.com" in page and b"<select" in page
    status, _, page = raw(em, "POST", "/devicelogin/consent",
                          {"user_code": flow["user_code"], "upn": "bob@contoso.com", "decision": "approve"})
    assert status == 200 and b"signed in" in page
    tok = json.loads(poll(em, flow["device_code"])[2])
    assert jwt_parts(tok["id_token"])[1]["oid"] == BOB_OID
    _, flow = devicecode(em)
    raw(em, "POST", "/devicelogin/consent", {"user_code": flow["user_code"], "decision": "decline"})
    assert entra_error(poll(em, flow["device_code"]))[1]["error"] == "authorization_declined"


def test_request_log_never_holds_secrets(em):
    _, flow = devicecode(em, client_id=CONFIDENTIAL_CLIENT, client_secret=CONFIDENTIAL_SECRET)
    poll(em, flow["device_code"], client_id=CONFIDENTIAL_CLIENT, client_secret=CONFIDENTIAL_SECRET)
    log = em.requests()
    text = json.dumps(log)
    assert CONFIDENTIAL_SECRET not in text and flow["device_code"] not in text
    assert [r["grant_type"] for r in log] == [None, "urn:ietf:params:oauth:grant-type:device_code"]
    assert all(r["client_id"] == CONFIDENTIAL_CLIENT and r["t_ms"] > 1_600_000_000_000 for r in log)
    assert flow["device_code"] not in json.dumps(em.codes())
    assert CONFIDENTIAL_SECRET not in em.log_text() and flow["device_code"] not in em.log_text()


def test_fault_status_retry_after_paths_and_times(em):
    em.faults(status=503, retry_after=7, paths=["token"], times=2)
    assert raw(em, "GET", discovery_path())[0] == 200  # not in paths
    _, flow = devicecode(em)
    for _ in range(2):
        status, headers, body = poll(em, flow["device_code"])
        assert status == 503 and headers["retry-after"] == "7"
        assert json.loads(body)["error"] == "temporarily_unavailable"
    assert poll(em, flow["device_code"])[0] == 400  # times used up: pending again
    for code in (500, 502, 429):
        em.faults(status=code, paths=["keys"])
        status, headers, _ = raw(em, "GET", f"/{TENANT}/discovery/v2.0/keys")
        assert status == code and "retry-after" not in headers
    assert em.control("GET", "faults") == {"paths": ["keys"], "status": 429}


def test_fault_unknown_switch_is_refused(em):
    with pytest.raises(Exception, match="unknown fault switch"):
        em.faults(dorp_connection=True)
    with pytest.raises(Exception, match="unknown token_fault"):
        em.faults(token_fault="nope")


def test_fault_delay(em):
    em.faults(delay_ms=600, paths=["discovery"])
    t = time.monotonic()
    assert raw(em, "GET", discovery_path())[0] == 200
    assert time.monotonic() - t >= 0.55
    t = time.monotonic()
    raw(em, "GET", f"/{TENANT}/discovery/v2.0/keys")
    assert time.monotonic() - t < 0.5


def test_fault_malformed_and_truncated_json(em):
    em.faults(malformed_json=True, paths=["discovery"])
    status, _, body = raw(em, "GET", discovery_path())
    assert status == 200
    with pytest.raises(ValueError):
        json.loads(body)
    em.faults(truncated_json=True, paths=["discovery"])
    status, headers, body = raw(em, "GET", discovery_path())
    assert status == 200 and int(headers["content-length"]) == len(body)
    with pytest.raises(ValueError):
        json.loads(body)
    assert body.startswith(b'{"token_endpoint"')


def test_fault_drop_connection(em):
    em.faults(drop_connection=True, paths=["token"], times=1)
    _, flow = devicecode(em)
    with pytest.raises((http.client.HTTPException, ConnectionError, ssl.SSLError, OSError)):
        poll(em, flow["device_code"])
    assert poll(em, flow["device_code"])[0] == 400


def test_fault_hang_until_reset(em):
    em.faults(hang=True, paths=["discovery"])
    t = time.monotonic()
    with pytest.raises((socket.timeout, TimeoutError)):
        raw(em, "GET", discovery_path(), timeout=1.0)
    assert time.monotonic() - t < 3
    em.reset()
    assert raw(em, "GET", discovery_path())[0] == 200


def test_fault_slow_bytes(em):
    em.faults(slow_bytes=True, paths=["discovery"])
    conn = http.client.HTTPSConnection("127.0.0.1", em.port, context=em.ssl_context, timeout=5)
    try:
        t = time.monotonic()
        conn.request("GET", discovery_path())
        resp = conn.getresponse()
        assert resp.status == 200 and int(resp.getheader("content-length")) > 1000
        assert resp.read(3) == b'{"t'
        assert time.monotonic() - t >= 1.8  # one byte a second
    finally:
        conn.close()


def test_fault_huge_body(em):
    em.faults(huge_body_mb=3, paths=["keys"])
    status, headers, body = raw(em, "GET", f"/{TENANT}/discovery/v2.0/keys", timeout=30)
    assert status == 200 and len(body) == 3 * 1024 * 1024 == int(headers["content-length"])
    assert json.loads(body)["padding"].startswith("aaa")


def test_fault_redirect(em):
    em.faults(redirect_to="https://other.example/", paths=["discovery"])
    status, headers, _ = raw(em, "GET", discovery_path())
    assert status == 302 and headers["location"] == "https://other.example/"


def test_fault_slow_down_and_http200_errors(em):
    em.faults(slow_down=2)
    _, flow = devicecode(em)
    errors = [entra_error(poll(em, flow["device_code"]))[1]["error"] for _ in range(3)]
    assert errors == ["slow_down", "slow_down", "authorization_pending"]
    em.faults(http200_errors=True, paths=["token", "devicecode"])
    status, err = entra_error(poll(em, flow["device_code"]))
    assert status == 200 and err["error"] == "authorization_pending"
    status, err = entra_error(devicecode(em, client_id="12345678-1234-1234-1234-123456789012"))
    assert status == 200 and err["error_codes"] == [700016]
    assert "user_code" in devicecode(em)[1]  # successes are untouched


def test_fault_issuer_mismatch_and_keys_garbage(em):
    em.faults(issuer_mismatch=True)
    assert json.loads(raw(em, "GET", discovery_path())[2])["issuer"] != f"{em.base_url}/{TENANT}/v2.0"
    em.faults(keys_garbage=True)
    garbage = keys(em)
    assert garbage["keys"] and all(k["n"] == "%%%not*base64url%%%" for k in garbage["keys"])
    em.faults()
    assert json.loads(raw(em, "GET", discovery_path())[2])["issuer"] == f"{em.base_url}/{TENANT}/v2.0"


TOKEN_FAULT_CHECKS = {
    "wrong_aud": lambda h, c, good: c["aud"] != PUBLIC_CLIENT and good,
    "wrong_iss": lambda h, c, good: "attacker.invalid" in c["iss"] and good,
    "wrong_tid": lambda h, c, good: c["tid"] != TENANT and good,
    "expired": lambda h, c, good: c["exp"] < time.time() - 3000 and good,
    "future_nbf": lambda h, c, good: c["nbf"] > time.time() + 3000 and good,
    "alg_none": lambda h, c, good: h["alg"] == "none" and not good,
    "hs256": lambda h, c, good: h["alg"] == "HS256" and not good,
    "unknown_kid": lambda h, c, good: not good,
    "tampered_signature": lambda h, c, good: not good,
    "tampered_payload": lambda h, c, good: c["preferred_username"] == "admin@contoso.com" and not good,
    "missing_oid": lambda h, c, good: "oid" not in c and good,
    "missing_tid": lambda h, c, good: "tid" not in c and good,
    "missing_exp": lambda h, c, good: "exp" not in c and good,
    "missing_aud": lambda h, c, good: "aud" not in c and good,
    "aud_array_no_azp": lambda h, c, good: c["aud"][0] == PUBLIC_CLIENT and len(c["aud"]) == 2 and "azp" not in c and good,
}


@pytest.mark.parametrize("fault", sorted(TOKEN_FAULT_CHECKS))
def test_token_faults(em, fault):
    em.faults(token_fault=fault, times=1)
    _, flow = devicecode(em)
    assert "error" not in flow  # the fault waits for a successful token answer
    em.approve("alice@contoso.com")
    status, _, body = poll(em, flow["device_code"])
    assert status == 200
    token = json.loads(body)["id_token"]
    header, claims, _ = jwt_parts(token)
    good = verify_rs256(token, keys(em))
    assert TOKEN_FAULT_CHECKS[fault](header, claims, good), (header, claims, good)
    # times=1: the next token is good again.
    tok = signed_in_token(em)
    assert verify_rs256(tok["id_token"], keys(em)) and jwt_parts(tok["id_token"])[1]["aud"] == PUBLIC_CLIENT


def test_rotate_keys(em):
    before = [k["kid"] for k in keys(em)["keys"]]
    kids = em.rotate_keys()["kids"]
    assert not set(kids) & set(before) and [k["kid"] for k in keys(em)["keys"]] == kids
    tok = signed_in_token(em)
    assert jwt_parts(tok["id_token"])[0]["kid"] == kids[0] and verify_rs256(tok["id_token"], keys(em))
    rolled = em.rotate_keys(keep_previous=True)["kids"]
    assert rolled[1] == kids[0] and rolled[0] not in kids


@pytest.mark.parametrize("mode,reason", [("expired", "certificate has expired"),
                                         ("wrong-host", "match")])
def test_cert_modes(mode, reason):
    with Emulator(cert_mode=mode) as e:
        ctx = ssl.create_default_context(cafile=e.ca_path)
        with pytest.raises(ssl.SSLCertVerificationError, match=reason):
            with socket.create_connection(("127.0.0.1", e.port), timeout=5) as sock:
                ctx.wrap_socket(sock, server_hostname="127.0.0.1")
        # The same CA, a good certificate: the handshake passes (and a foreign CA fails).
    with Emulator() as good, Emulator() as other:
        ctx = ssl.create_default_context(cafile=good.ca_path)
        with socket.create_connection(("127.0.0.1", good.port), timeout=5) as sock:
            ctx.wrap_socket(sock, server_hostname="localhost").close()
        with pytest.raises(ssl.SSLCertVerificationError):
            with socket.create_connection(("127.0.0.1", other.port), timeout=5) as sock:
                ctx.wrap_socket(sock, server_hostname="127.0.0.1")


def test_stops_on_sigterm_even_while_hanging():
    e = Emulator().start()
    try:
        e.faults(hang=True)
        t = threading.Thread(target=lambda: _swallow(lambda: raw(e, "GET", discovery_path(), timeout=10)), daemon=True)
        t.start()
        time.sleep(0.3)
        proc = e.proc
        started = time.monotonic()
        e.stop()
        assert proc.returncode == 0 and time.monotonic() - started < 3
    finally:
        e.cleanup()


def _swallow(fn):
    try:
        fn()
    except Exception:
        pass
