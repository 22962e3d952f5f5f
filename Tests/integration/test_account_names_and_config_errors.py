"""The hostile local caller, identity slice, through real libpam (pamrun, nss_wrapper users):
the canonical account name decides (not the typed one), never-federated accounts are decided
before the configuration is read, a configuration error stays in its section so users who are
not federated keep their usual login, and a federated user without a conversation function is
refused with PAM_CONV_ERR."""
import re
import shutil
import subprocess

import pytest

from conftest import MODULE, PAMRUN, ROOT, pam_code_map
from jumpcloud_emulator import write_directory

CASEFOLD_SRC = ROOT / "Tests" / "harness" / "nss_casefold.c"


@pytest.fixture
def casefold(pam_env):
    """pam_env whose NSS ignores the case of user names (like sssd with case_sensitive = false):
    a tiny NSS module loaded by nss_wrapper, asked before its passwd file."""
    so = pam_env.base / "libnss_casefold.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", str(so), str(CASEFOLD_SRC)], check=True)
    plain = pam_env.env

    def env():
        e = plain()
        e.update(NSS_WRAPPER_MODULE_SO_PATH=str(so), NSS_WRAPPER_MODULE_FN_PREFIX="casefold",
                 JCFED_CASEFOLD_PASSWD=str(pam_env.base / "passwd"))
        return e
    pam_env.env = env
    return pam_env


def add_passwd(env, entries):
    """Extra local accounts: (name, uid)."""
    with open(env.base / "passwd", "a") as f:
        for name, uid in entries:
            f.write(f"{name}:x:{uid}:{uid}:{name}:/home/{name}:/bin/sh\n")


def directory(env, users, bound=None):
    path = env.state / "directory.json"
    write_directory(path, users, bound_user_ids=bound)
    return path


def run_stack(env, user, policy, op="auth+acct", conv=None):
    """pamrun through the stack `jcfed enable` writes (PAMLines.swift), with pam_permit standing
    in for the local password (pam_unix) after pam_jcfed."""
    svc_err = " service_err=ignore" if policy == "local-password" else ""
    unavail = " authinfo_unavail=ignore" if policy == "local-password" else ""
    a = f"config={env.conf}"
    (env.pamd / "stack").write_text(
        f"auth [success=done{unavail} ignore=ignore user_unknown=ignore{svc_err} module_unknown=ignore default=die] {MODULE} {a}\n"
        "auth required pam_permit.so\n"
        f"account [success=ok ignore=ignore user_unknown=ignore{svc_err} module_unknown=ignore default=bad] {MODULE} {a}\n"
        "account required pam_permit.so\n")
    cmd = [str(PAMRUN), "-d", str(env.pamd), "-s", "stack", "-u", user, "-o", op]
    if conv:
        cmd += ["-c", conv]
    if env.syslog.exists():
        env.syslog.unlink()
    p = subprocess.run(cmd, env=env.env(), capture_output=True, text=True, timeout=120)
    log = env.syslog.read_text() if env.syslog.exists() else ""
    return pam_code_map(p.stdout), p.stdout + p.stderr, log


# --- 1. the canonical account name ------------------------------------------------------------


def test_nss_that_ignores_case_resolves_the_typed_name(casefold):
    r = subprocess.run(["id", "-un", "ALICE"], env=casefold.env(), capture_output=True, text=True)
    assert r.stdout.strip() == "alice", r.stdout + r.stderr


def test_suspended_user_typed_in_capitals_fails_the_account_stage(casefold):
    directory(casefold, [{"username": "alice", "groups": ["federated-jc"], "suspended": True}])
    casefold.write_config()
    codes, out, log = casefold.run("ALICE", op="acct", args=("debug",))
    assert codes["acct"] == "PAM_ACCT_EXPIRED", out + log
    assert "suspended" in out.lower()
    assert re.search(r"SYSLOG 5 .*'ALICE' is the local account 'alice'", log), log


@pytest.mark.parametrize("record,code", [({"account_locked": True}, "PAM_PERM_DENIED"),
                                         ({"state": "STAGED", "activated": False}, "PAM_ACCT_EXPIRED")])
def test_locked_or_staged_user_typed_in_capitals_is_refused_at_account(casefold, record, code):
    directory(casefold, [{"username": "alice", **record}])
    casefold.write_config()
    codes, out, log = casefold.run("Alice", op="acct")
    assert codes["acct"] == code, out + log


def test_unbound_user_typed_in_capitals_is_refused_at_account(casefold):
    directory(casefold, [{"username": "alice"}, {"username": "bob"}], bound=["bob"])
    casefold.write_config()
    codes, out, log = casefold.run("ALICE", op="auth+acct")
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_PERM_DENIED"}, out + log


def test_user_typed_in_capitals_is_routed_at_auth(casefold):
    # Routed only by the JumpCloud group in alice's directory record; the IdP (127.0.0.1:9)
    # refuses connections, so a routed user ends with PAM_AUTHINFO_UNAVAIL, not PAM_IGNORE.
    directory(casefold, [{"username": "alice", "groups": ["federated-jc"]}])
    casefold.write_config(routing={"groups": "federated-jc"})
    codes, out, log = casefold.run("ALICE", op="auth", args=("debug",))
    assert codes["auth"] == "PAM_AUTHINFO_UNAVAIL", out + log
    assert "not-in-directory" not in log and "not-routed" not in log


def test_exact_names_behave_as_before(pam_env):
    directory(pam_env, [{"username": "alice", "suspended": True}])
    pam_env.write_config()
    codes, out, log = pam_env.run("alice", op="acct")
    assert codes["acct"] == "PAM_ACCT_EXPIRED", out + log
    assert "is the local account" not in log
    codes, _, _ = pam_env.run("ALICE", op="auth+acct")
    assert codes == {"auth": "PAM_USER_UNKNOWN", "acct": "PAM_USER_UNKNOWN"}


# --- 2. a broken configuration locks nobody out -----------------------------------------------


@pytest.mark.parametrize("broken", ["missing", "unsafe", "garbage", "bad-value"])
@pytest.mark.parametrize("user", ["toor", "nobody", "sysuser", "daemon"])
def test_never_federated_accounts_are_decided_before_the_configuration(pam_env, broken, user):
    add_passwd(pam_env, [("toor", 0), ("nobody", 65534)])
    if broken == "unsafe":
        pam_env.write_config(mode=0o666)
    elif broken == "garbage":
        pam_env.write_config(extra="[routing\nnot an ini line\n")
    elif broken == "bad-value":
        pam_env.write_config(idp={"http_timeout": "10s"})
    codes, out, log = pam_env.run(user, op="auth+acct", args=("debug",))
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_IGNORE"}, out + log
    assert "misconfigured" not in out
    assert "SYSLOG 3 " not in log, "the configuration was not even read"


@pytest.mark.parametrize("policy", ["deny", "local-password"])
def test_a_typo_in_idp_keeps_users_who_are_not_federated_working(pam_env, policy):
    """An admin's case: `http_timeout = 10s` with `jcfed enable --offline deny`."""
    pam_env.write_config(idp={"http_timeout": "10s"}, routing={"groups": "federated"})
    for user in ("sysuser", "dave"):
        codes, out, log = run_stack(pam_env, user, policy)
        assert codes == {"auth": "PAM_SUCCESS", "acct": "PAM_SUCCESS"}, (user, out, log)
        assert "misconfigured" not in out, out
        if user == "dave":
            assert re.search(r"SYSLOG 3 .*idp\.http_timeout: must be a whole number", log), log
    # alice is routed: refused as before (deny) or left to the password (local-password).
    codes, out, log = run_stack(pam_env, "alice", policy)
    if policy == "deny":
        assert codes["auth"] == "PAM_SERVICE_ERR", out + log
    else:
        assert codes == {"auth": "PAM_SUCCESS", "acct": "PAM_SUCCESS"}, out + log
    assert "Federated login is misconfigured" in out
    assert re.search(r"SYSLOG 3 .*idp\.http_timeout", log), log


def test_a_typo_in_idp_direct(pam_env):
    pam_env.write_config(idp={"http_timeout": "10s"}, routing={"groups": "federated"})
    codes, out, log = pam_env.run("dave", op="auth+acct", args=("debug",))
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_IGNORE"}, out + log
    assert "reason=not-routed" in log
    codes, out, log = pam_env.run("alice", op="auth+acct")
    assert codes == {"auth": "PAM_SERVICE_ERR", "acct": "PAM_SERVICE_ERR"}, out + log
    assert "reason=config" in log


def test_a_broken_min_uid_counts_as_1000(pam_env):
    pam_env.write_config(mapping={"min_uid": "zero"}, routing={"groups": "federated"})
    codes, out, log = pam_env.run("dave", op="auth+acct", args=("debug",))
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_IGNORE"}, out + log
    assert re.search(r"SYSLOG 3 .*mapping\.min_uid", log), log
    codes, _, _ = pam_env.run("alice", op="auth+acct")
    assert codes == {"auth": "PAM_SERVICE_ERR", "acct": "PAM_SERVICE_ERR"}


def test_an_unreadable_directory_setting_refuses_whoever_it_could_route(pam_env):
    # Set twice: which directory holds dave's JumpCloud groups is unknown, so he may be routed.
    pam_env.write_config(routing={"groups": "federated"},
                         extra=f"[mapping]\ndirectory = {pam_env.state}/other.json\n")
    codes, out, log = pam_env.run("dave", op="auth+acct")
    assert codes == {"auth": "PAM_SERVICE_ERR", "acct": "PAM_SERVICE_ERR"}, out + log
    assert "may be federated" in log
    # Never-federated accounts are still decided first.
    codes, _, _ = pam_env.run("sysuser", op="auth+acct")
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_IGNORE"}


def test_unreadable_groups_still_let_the_directory_rule_users_out(pam_env):
    directory(pam_env, [{"username": "alice"}, {"username": "carol"}], bound=["alice"])
    pam_env.write_config(routing={"groups": "federated"}, extra="[routing]\ngroups = staff\n")
    codes, out, log = pam_env.run("dave", op="auth+acct", args=("debug",))
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_IGNORE"}, out + log
    assert "reason=not-in-directory" in log and "set twice" in log
    codes, _, _ = pam_env.run("carol", op="auth+acct")
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_PERM_DENIED"}
    codes, _, _ = pam_env.run("alice", op="auth+acct")
    assert codes == {"auth": "PAM_SERVICE_ERR", "acct": "PAM_SERVICE_ERR"}


# --- 3. no conversation function --------------------------------------------------------------


def test_routed_user_without_a_conversation_is_a_conversation_error(pam_env):
    pam_env.write_config(routing={"groups": "federated"})
    codes, out, log = pam_env.run("alice", conv="none", args=("debug",))
    assert codes["auth"] == "PAM_CONV_ERR", out + log
    assert re.search(r"SYSLOG 5 .*no conversation function", log), log
    codes, _, log = pam_env.run("dave", conv="none", args=("debug",))
    assert codes["auth"] == "PAM_IGNORE"
    assert "reason=not-routed" in log


def test_routed_user_without_a_conversation_is_refused_by_the_stack(pam_env):
    pam_env.write_config(routing={"groups": "federated"})
    codes, out, _ = run_stack(pam_env, "alice", "local-password", op="auth", conv="none")
    assert codes["auth"] == "PAM_CONV_ERR", out


# --- memory: the new paths under valgrind ------------------------------------------------------


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is installed by make deps")
@pytest.mark.parametrize("user", ["dave", "alice", "ALICE"])
def test_confined_errors_and_canonical_names_are_memcheck_clean(casefold, user):
    from conftest import VALGRIND, check_clean
    directory(casefold, [{"username": "alice", "groups": ["federated-jc"]}, {"username": "carol"}], bound=["alice"])
    casefold.write_config(idp={"http_timeout": "10s"}, routing={"groups": "federated"},
                          extra="[routing]\ngroups = staff\n")
    codes, out, _ = casefold.run(user, op="auth+acct", cycles=3, valgrind=VALGRIND, timeout=300)
    assert codes, out[-2000:]
    check_clean(out)
