"""What the person reads at sign-in, through real libpam and the Entra emulator: the machine, the
account and the IdP's display name before the IdP's sentence; after an unreachable IdP, what comes
next; and an Entra client id written in uppercase still signs in (GUIDs compare without case)."""
import socket

from conftest import PUBLIC_CLIENT, TENANT, interactive_login


def test_sign_in_names_the_machine_the_account_and_the_idp(idp):
    idp.write_config(idp={"url": idp.emulator.authority(TENANT), "ca_file": str(idp.emulator.ca_path),
                          "name": "Contoso Entra ID"})
    idp.emulator.faults(interval=1)
    run = interactive_login(idp, "alice", lambda code: idp.emulator.approve("alice@contoso.com", user_code=code))
    assert run.codes == {"auth": "PAM_SUCCESS", "acct": "PAM_SUCCESS"}, run.output
    header = f"Signing in to {socket.gethostname()} as alice with Contoso Entra ID."
    assert header in run.output, run.output
    # Ours first, then the IdP's own sentence with the code.
    assert run.output.index(header) < run.output.index("enter the code")


def test_unreachable_idp_says_the_local_password_is_next(pam_env):
    pam_env.write_config(idp={"url": f"https://127.0.0.1:1/{TENANT}", "http_timeout": "3"})
    codes, out, _ = pam_env.run("alice")
    assert codes["auth"] == "PAM_AUTHINFO_UNAVAIL", out
    assert "log in with your local password instead" in out


def test_unreachable_idp_under_deny_says_try_later(pam_env):
    pam_env.write_config(idp={"url": f"https://127.0.0.1:1/{TENANT}", "http_timeout": "3"},
                         extra="[pam]\noffline = deny\n")
    codes, out, _ = pam_env.run("alice")
    assert codes["auth"] == "PAM_AUTHINFO_UNAVAIL", out
    assert "cannot be reached; try again later" in out
    assert "local password" not in out


def test_uppercase_client_id_still_signs_in(idp):
    idp.write_config(idp={"url": idp.emulator.authority(TENANT), "ca_file": str(idp.emulator.ca_path),
                          "client_id": PUBLIC_CLIENT.upper()})
    idp.emulator.faults(interval=1)
    run = interactive_login(idp, "alice", lambda code: idp.emulator.approve("alice@contoso.com", user_code=code))
    assert run.codes["auth"] == "PAM_SUCCESS", run.output + run.log


def test_missing_libcrypto_is_a_service_error_before_the_code_is_shown(idp):
    """libcrypto hidden in a private mount namespace: the module says so before anyone signs in,
    instead of refusing the token after the person did MFA."""
    import re
    import shutil
    import subprocess
    if shutil.which("unshare") is None:
        import pytest
        pytest.skip("unshare is not available")
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    m = re.search(r"libcrypto\.so\.3 \([^)]*x86-64[^)]*\) => (\S+)", out) or re.search(r"libcrypto\.so\.3 \([^)]*\) => (\S+)", out)
    assert m, out
    hide = ["unshare", "-m", "sh", "-c", 'mount --bind /dev/null "$0" && exec "$@"', m.group(1)]
    run = interactive_login(idp, "alice", None, op="auth", valgrind=hide, timeout=60)
    assert run.codes["auth"] == "PAM_SERVICE_ERR", run.output + run.log
    assert "libcrypto" in run.log and "libssl3" in run.log, run.log
    assert run.user_code is None and run.prompts == 0, run.output
    assert not idp.emulator.requests(), "no request may reach the IdP"
