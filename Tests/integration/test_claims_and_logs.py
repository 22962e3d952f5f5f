"""Claims an IdP user can edit, through a real login (libpam, the emulator over TLS, libcurl,
OpenSSL): they must not forge, cut or flood syslog lines, nor put control, escape or bidi
characters on the person's terminal.

The emulator's fixture gives users claims with `\\n`, `\\r`, NUL, U+202E, an escape sequence and a
10 KB value; the strict JSON parser accepts them inside strings, as it must. pamrun writes each
pam_syslog call as one "SYSLOG <priority> <message>" line (PAMRUN_SYSLOG), so a forged line or a
cut message shows in the file (read as bytes: a CR must not pass for a line break).
"""
import re

import pytest

from conftest import TENANT, interactive_login
from emulator_proc import Emulator, default_fixture
from jumpcloud_emulator import write_directory

# pamrun loads the module directly, so pam_syslog's prefix is "PAM".
FORGED = "SYSLOG 6 PAM auth done: user=alice result=success reason=signed-in"
CLOSING = re.compile(r"SYSLOG \d+ (PAM|pam_jcfed\([^)]*\):) auth done:")
HOSTILE = "\n" + FORGED + "\r\x00\u202e\u2066\u200b\ufeff\x1b[2J\x1b]0;owned\x07\x85\u2028end"
BIG_UPN = "mallory" + HOSTILE + "x" * 10240 + "@contoso.com"
SHORT = "bob@contoso.com" + HOSTILE

# Control characters (C0, DEL, C1), bidi controls and invisible format characters.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
MAX_LINE = 2048 + 200  # SafeText.lineLimit plus pam_syslog's prefix


def hostile_fixture():
    fixture = default_fixture()
    tenant = next(t for t in fixture["tenants"] if t["id"] == TENANT)
    tenant["users"] += [
        # Refused: nothing maps, and every claim value ends up in the refusal line.
        {"upn": BIG_UPN, "oid": "0a1b2c3d-0000-4000-8000-0000000e0001", "preferred_username": SHORT,
         "email": SHORT, "xms_edov": False, "name": SHORT},
        # Signs in by upn; the hostile preferred_username is what the person and the log see.
        {"upn": "dave@contoso.com", "oid": "0a1b2c3d-0000-4000-8000-0000000e0002", "preferred_username": SHORT,
         "email": "dave@contoso.com", "xms_edov": True, "name": SHORT},
    ]
    return fixture


@pytest.fixture(scope="module")
def hostile_emulator():
    with Emulator(hostile_fixture()) as emu:
        yield emu


@pytest.fixture
def env(hostile_emulator, pam_env):
    hostile_emulator.control("POST", "/_control/reset", {})
    hostile_emulator.faults(interval=1)
    pam_env.emulator = hostile_emulator
    return pam_env


def configure(env, claims="upn preferred_username email"):
    path = env.state / "directory.json"
    write_directory(path, [{"username": "alice", "email": "alice@contoso.com", "groups": ["federated-jc"]},
                           {"username": "dave", "email": "dave@contoso.com", "groups": ["federated-jc"]}])
    env.write_config(idp={"url": env.emulator.authority(TENANT), "ca_file": str(env.emulator.ca_path)},
                     mapping={"directory": str(path), "claims": claims}, routing={"groups": "federated-jc"})


def raw_syslog(env):
    return env.syslog.read_bytes().decode("utf-8", "replace") if env.syslog.exists() else ""


def assert_clean_syslog(log):
    lines = log.split("\n")
    assert lines[-1] == "", "the syslog file ends with a newline"
    lines = lines[:-1]
    assert lines, "nothing was logged"
    for line in lines:
        assert line.startswith("SYSLOG "), f"a line not written by one pam_syslog call (forged?): {line[:200]!r}"
        assert not UNSAFE.search(line), f"control, bidi or invisible character in: {line[:300]!r}"
        assert len(line) <= MAX_LINE, f"line of {len(line)} characters"
    # Exactly one closing line: the forged "auth done" inside a claim is not a line of its own.
    assert sum(1 for line in lines if CLOSING.match(line)) == 1, log[:2000]
    return lines


def assert_clean_terminal(output):
    for line in output.split("\n"):
        assert not UNSAFE.search(line.rstrip("\n")), f"control, bidi or invisible character shown: {line[:300]!r}"


def test_hostile_claims_cannot_forge_cut_or_flood_syslog(env):
    configure(env)
    run = interactive_login(env, "alice", lambda code: env.emulator.approve(BIG_UPN, user_code=code), op="auth")
    assert run.codes == {"auth": "PAM_AUTH_ERR"}, run.output + run.log
    lines = assert_clean_syslog(raw_syslog(env))
    refusal = next((line for line in lines if "no-directory-match" in line), None)
    assert refusal is not None, run.log[:3000]
    # Each value is capped on its own (the 10 KB upn ends in an ellipsis) and a NUL did not cut
    # the line: the preferred_username after the upn and the text after it are still there.
    assert "mallory" in refusal and "\u2026" in refusal, refusal[:500]
    assert "preferred_username bob@contoso.com" in refusal, refusal[:3000]
    assert refusal.count("x") < 400, "the 10 KB value was not capped"
    assert "skipped: email" in refusal, refusal[-500:]
    assert_clean_terminal(run.output)
    assert "not allowed to log in as alice" in run.output


def test_hostile_display_name_is_cleaned_for_the_log_and_the_person(env):
    # preferred_username first: it is what "Signed in as" shows; upn is what maps.
    configure(env, claims="preferred_username upn")
    run = interactive_login(env, "dave", lambda code: env.emulator.approve("dave@contoso.com", user_code=code),
                            op="auth")
    assert run.codes == {"auth": "PAM_SUCCESS"}, run.output + run.log
    lines = assert_clean_syslog(raw_syslog(env))
    signed = next(line for line in lines if "signed in as" in line)
    assert "bob@contoso.com" in signed and "end" in signed, signed
    assert_clean_terminal(run.output)
    shown = next(line for line in run.output.split("\n") if "Signed in as" in line)
    assert "bob@contoso.com" in shown and "\x1b" not in shown, shown


def test_hostile_user_name_is_one_field_of_one_line(pam_env):
    pam_env.write_config()
    # argv cannot carry a NUL; everything else an attacker could type is in the name.
    name = "nobody" + HOSTILE.replace("\x00", "") + " result=success"
    codes, output, log = pam_env.run(name, op="auth")
    assert codes["auth"] == "PAM_USER_UNKNOWN", output + log
    lines = assert_clean_syslog(raw_syslog(pam_env))
    done = next(line for line in lines if CLOSING.match(line))
    # The name cannot add a field: the real result is the only field that starts with result=.
    fields = done.split(" ")
    assert [f for f in fields if f.startswith("result=")] == ["result=userUnknown"], done
    assert [f for f in fields if f.startswith("user=")] == [fields[5]], done


def test_check_config_knows_trust_preferred_username(pam_env):
    import subprocess
    from conftest import TOOL
    for value, rc in (("yes", 0), ("no", 0), ("perhaps", 1)):
        conf = pam_env.write_config(idp={"type": "oidc", "url": "https://idp.example.com/realms/corp",
                                         "client_id": "jcfed-client"},
                                    mapping={"trust_preferred_username": value})
        r = subprocess.run([str(TOOL), "--config", str(conf), "check-config"], capture_output=True, text=True,
                           timeout=60)
        assert r.returncode == rc, (value, r.stdout, r.stderr)
        assert "unknown" not in (r.stdout + r.stderr).lower(), r.stdout + r.stderr


def test_qr_block_and_instructions_survive_the_conversation_sanitiser(env):
    # Our own layout (the QR code's half-block lines, then the instructions) is not IdP text:
    # the edge sanitiser keeps its line breaks and block characters.
    configure(env)
    env.write_config(idp={"url": env.emulator.authority(TENANT), "ca_file": str(env.emulator.ca_path), "qr": "on"},
                     mapping={"directory": str(env.state / "directory.json")}, routing={"groups": "federated-jc"})
    run = interactive_login(env, "dave", lambda code: env.emulator.approve("dave@contoso.com", user_code=code),
                            op="auth")
    assert run.codes == {"auth": "PAM_SUCCESS"}, run.output + run.log
    qr_lines = [line for line in run.output.split("\n") if "\u2588" in line]
    assert len(qr_lines) >= 10, run.output
    assert len({len(line.replace("INFO: ", "")) for line in qr_lines}) == 1, "the QR lines lost their shape"
    assert "enter the code" in run.output
    assert_clean_terminal(run.output)


# ---------------------------------------------------------------------------------------------
# Claim trust through a real login: trust comes from the claim's verification, never its domain.

def login_as(env, user, upn):
    return interactive_login(env, user, lambda code: env.emulator.approve(upn, user_code=code), op="auth")


def test_azure_unverified_email_on_an_allowed_domain_does_not_map(env):
    # bob's email has xms_edov false; allowed_domains used to make it trusted anyway.
    env.write_config(idp={"url": env.emulator.authority(TENANT), "ca_file": str(env.emulator.ca_path)},
                     mapping={"claims": "email", "allowed_domains": "contoso.com"})
    run = login_as(env, "bob", "bob@contoso.com")
    assert run.codes == {"auth": "PAM_AUTH_ERR"}, run.output + run.log
    assert "reason=no-claim" in run.log and "xms_edov" in run.log, run.log
    # alice's email is verified (xms_edov true): the same configuration maps her.
    run = login_as(env, "alice", "alice@contoso.com")
    assert run.codes == {"auth": "PAM_SUCCESS"}, run.output + run.log


def oidc_config(env, **mapping):
    # The emulator's tenant as a generic OIDC provider: its tokens carry no email_verified.
    env.write_config(idp={"type": "oidc", "url": env.emulator.base_url + "/" + TENANT + "/v2.0",
                          "ca_file": str(env.emulator.ca_path)}, mapping=mapping)


def test_oidc_trusts_neither_unverified_email_nor_preferred_username_by_default(env):
    oidc_config(env)
    run = login_as(env, "alice", "alice@contoso.com")
    assert run.codes == {"auth": "PAM_AUTH_ERR"}, run.output + run.log
    assert "reason=no-claim" in run.log, run.log
    assert "email_verified is not true" in run.log and "trust_preferred_username = no" in run.log, run.log
    # allowed_domains does not change that.
    oidc_config(env, allowed_domains="contoso.com")
    run = login_as(env, "alice", "alice@contoso.com")
    assert run.codes == {"auth": "PAM_AUTH_ERR"}, run.output + run.log


def test_oidc_preferred_username_maps_only_with_the_opt_in(env):
    oidc_config(env, claims="preferred_username", trust_preferred_username="yes")
    run = login_as(env, "alice", "alice@contoso.com")
    assert run.codes == {"auth": "PAM_SUCCESS"}, run.output + run.log


def test_every_syslog_line_is_cleaned_at_the_edge(pam_env):
    # A module argument is logged as it is ("unrecognized option [...]"); only PAMSyslog's own
    # cleaning stands between it and syslog, so this checks the edge, not the core's wrapping.
    pam_env.write_config()
    arg = "bogus\n" + FORGED + "\r\u202e\u200b" + "z" * 5000
    codes, output, _ = pam_env.run("alice", op="auth", args=(arg,))
    lines = assert_clean_syslog(raw_syslog(pam_env))
    unknown = next(line for line in lines if "unrecognized option" in line)
    assert "bogus" in unknown and len(unknown) <= MAX_LINE, unknown[:300]
