"""The module loads safely in a PAM host. Real libpam (pam_start_confdir), the real
release module, nss_wrapper users."""
import ctypes
import os
import re
import subprocess

import pytest

from conftest import CORE, MODULE, PAMRUN

PAM_SM = {"pam_sm_authenticate", "pam_sm_setcred", "pam_sm_acct_mgmt",
          "pam_sm_open_session", "pam_sm_close_session", "pam_sm_chauthtok"}


@pytest.mark.parametrize("module", [MODULE, CORE], ids=["front", "core"])
def test_exports_exactly_the_pam_entry_points(module):
    """The front and the core it loads (itself a complete module)."""
    lib = ctypes.CDLL(str(module))
    for sym in PAM_SM:
        assert getattr(lib, sym) is not None
    out = subprocess.run(["nm", "-D", "--defined-only", str(module)], capture_output=True, text=True, check=True).stdout
    names = {line.split()[-1] for line in out.splitlines() if line.strip()}
    assert names == PAM_SM
    with pytest.raises(AttributeError):
        getattr(lib, "jcfed_pam_dispatch")
    with pytest.raises(AttributeError):
        getattr(lib, "swift_retain")


def system_module(name):
    """The path of one of the system's PAM modules (beside pam_permit.so), or None."""
    from conftest import find_library
    permit = find_library("libpam.so.0")
    for d in ([os.path.join(os.path.dirname(permit), "security")] if permit else []) + \
            ["/lib/security", "/usr/lib/security", "/usr/lib64/security"]:
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    return None


@pytest.mark.parametrize("module_type,op", [("session", "open"), ("session", "close"), ("password", "chauthtok")])
def test_session_and_password_lines_are_provided_not_unknown(pam_env, module_type, op):
    """The shim exports all six pam_sm_* (pam_faillock's tst-pam_faillock-retval.c style: the code
    libpam returns for each stack). A `session`/`password` line naming this module is ignored
    (PAM_IGNORE), so a stack an admin wrote with `required` keeps working; a module without that
    entry point (pam_faillock.so: auth and account only) fails the same stack with PAM_MODULE_UNKNOWN.
    That is why the session and password entry points stay, although `jcfed enable` and the
    pam-auth-update profile write only auth and account lines."""
    pam_env.write_config()
    stack = f"{module_type} required {{MODULE}} {{ARGS}}\n{module_type} required pam_permit.so\n"
    pam_env.service(stack=stack)
    cmd_env = pam_env.env()
    run = lambda: subprocess.run([str(PAMRUN), "-d", str(pam_env.pamd), "-s", "jcfed-test", "-u", "alice", "-o", op],
                                 env=cmd_env, capture_output=True, text=True, timeout=120)
    p = run()
    assert f"RESULT {op} PAM_SUCCESS" in p.stdout, p.stdout + p.stderr
    faillock = system_module("pam_faillock.so")
    if faillock is None:
        pytest.skip("pam_faillock.so is not installed: no module without this entry point to compare with")
    (pam_env.pamd / "jcfed-test").write_text(stack.replace("{MODULE}", faillock).replace("{ARGS}", ""))
    p = run()
    assert f"RESULT {op} PAM_MODULE_UNKNOWN" in p.stdout, p.stdout + p.stderr


@pytest.mark.parametrize("module", [MODULE, CORE], ids=["front", "core"])
def test_needs_no_swift_runtime_and_is_nodelete(module):
    out = subprocess.run(["readelf", "-d", str(module)], capture_output=True, text=True, check=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", out)
    assert needed, out
    for lib in needed:
        assert not re.search(r"swift|Foundation|icu|dispatch|BlocksRuntime", lib, re.I), lib
    # libcurl, libcrypto and libqrencode are loaded only when a federated login needs them
    # (not-federated users never pay for them; see bench/results.md, row 1).
    for lazy in ("curl", "crypto", "ssl", "qrencode"):
        assert not any(lazy in lib for lib in needed), (lazy, needed)
    # libstdc++ is linked statically and its symbols stay local (Makefile, MODULE_LINK_DIR): that
    # keeps every login's load cost down. No DT_RELR: it needs glibc 2.36 (test_package.py).
    assert not any("stdc++" in lib for lib in needed), ("libstdc++.a was not found at build time", needed)
    assert "(RELR)" not in out
    assert "NODELETE" in out and "BIND_NOW" in out
    assert "RUNPATH" not in out and "RPATH" not in out


def test_missing_config_every_entry_point(pam_env):
    codes, out, log = pam_env.run("alice", op="all")
    assert codes == {"auth": "PAM_SERVICE_ERR", "setcred": "PAM_SUCCESS", "acct": "PAM_SERVICE_ERR",
                     "open": "PAM_IGNORE", "close": "PAM_IGNORE", "chauthtok": "PAM_IGNORE"}
    assert "Federated login is misconfigured" in out
    assert f"{pam_env.conf}: does not exist" in log
    assert re.search(r"SYSLOG 3 .*does not exist", log)


@pytest.mark.parametrize("mode,fragment", [
    (0o666, "must not be writable by group or others"),
    (0o664, "must not be writable by group or others"),
])
def test_unsafe_config_mode(pam_env, mode, fragment):
    pam_env.write_config(mode=mode)
    codes, out, log = pam_env.run("alice", op="auth+acct")
    assert codes["auth"] == "PAM_SERVICE_ERR"
    assert fragment in log


def test_config_not_owned_by_root(pam_env):
    pam_env.write_config()
    os.chown(pam_env.conf, 1001, 1001)
    codes, _, log = pam_env.run("alice", op="all")
    assert codes["auth"] == "PAM_SERVICE_ERR" and codes["acct"] == "PAM_SERVICE_ERR"
    assert "owned by uid 1001" in log


def test_config_symlink_is_not_followed(pam_env):
    real = pam_env.write_config()
    link = pam_env.etc / "link.conf"
    link.symlink_to(real)
    pam_env.conf = link
    codes, _, log = pam_env.run("alice")
    assert codes["auth"] == "PAM_SERVICE_ERR"
    assert "symbolic link" in log


def test_secret_file_readable_by_others(pam_env):
    secret = pam_env.etc / "client_secret"
    secret.write_text("s3cr3t-value\n")
    os.chmod(secret, 0o644)
    pam_env.write_config(idp={"client_secret_file": str(secret)})
    codes, out, log = pam_env.run("alice")
    assert codes["auth"] == "PAM_SERVICE_ERR"
    assert "must not be readable by others" in log
    assert "s3cr3t-value" not in log + out


def test_bad_value_names_file_line_and_key(pam_env):
    pam_env.write_config(idp={"http_timeout": "soon"})
    codes, _, log = pam_env.run("alice", op="auth+acct")
    assert codes["auth"] == "PAM_SERVICE_ERR"
    assert re.search(rf"{re.escape(str(pam_env.conf))}:\d+: idp.http_timeout: must be a whole number", log)


def test_common_tenant_refused(pam_env):
    pam_env.write_config(idp={"url": "https://login.microsoftonline.com/common"})
    codes, _, log = pam_env.run("alice")
    assert codes["auth"] == "PAM_SERVICE_ERR"
    assert "multi-tenant authority" in log


@pytest.mark.parametrize("user,reason", [("root", "root"), ("sysuser", "system-account"), ("daemon", "system-account")])
def test_system_accounts_are_not_federated(pam_env, user, reason):
    pam_env.write_config()
    codes, _, log = pam_env.run(user, op="all", args=("debug",))
    assert codes == {"auth": "PAM_IGNORE", "setcred": "PAM_SUCCESS", "acct": "PAM_IGNORE",
                     "open": "PAM_IGNORE", "close": "PAM_IGNORE", "chauthtok": "PAM_IGNORE"}
    assert f"reason={reason}" in log


def test_root_is_ignored_even_without_config(pam_env):
    codes, _, _ = pam_env.run("root", op="auth+acct")
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_IGNORE"}


def test_user_not_in_routing_groups_is_ignored(pam_env):
    pam_env.write_config(routing={"groups": "federated"})
    codes, _, log = pam_env.run("dave", op="auth+acct", args=("debug",))
    assert codes == {"auth": "PAM_IGNORE", "acct": "PAM_IGNORE"}
    assert "reason=not-routed" in log


def test_unknown_local_user(pam_env):
    pam_env.write_config()
    codes, _, log = pam_env.run("nosuchuser", op="auth+acct")
    assert codes["auth"] == "PAM_USER_UNKNOWN"


def test_unknown_argument_logged_at_err_and_ignored(pam_env):
    pam_env.write_config()
    codes, _, log = pam_env.run("root", args=("frobnicate=1",))
    assert codes["auth"] == "PAM_IGNORE"
    assert "SYSLOG 3 " in log and "unrecognized option [frobnicate=1]" in log


def test_debug_adds_debug_lines(pam_env):
    pam_env.write_config()
    _, _, quiet = pam_env.run("root")
    _, _, loud = pam_env.run("root", args=("debug",))
    assert "SYSLOG 7 " not in quiet
    assert "SYSLOG 7 " in loud


def test_no_conversation_function_refuses_a_routed_user(pam_env):
    pam_env.write_config()
    codes, _, log = pam_env.run("alice", conv="none", args=("debug",))
    assert codes["auth"] == "PAM_CONV_ERR"
    assert "no conversation function" in log


def test_through_the_stack_not_just_direct(pam_env):
    """The same module through a real stack: PAM_SERVICE_ERR reaches the application."""
    codes, _, _ = pam_env.run("alice", op="auth+acct", direct=False)
    assert codes["auth"] == "PAM_SERVICE_ERR"


def test_200_cycles_in_one_process_flat_memory(pam_env):
    pam_env.write_config(routing={"groups": "federated"})
    codes, out, _ = pam_env.run("dave", op="auth+acct", cycles=200, extra=("-r", "-q"))
    rss = [int(x) for x in re.findall(r"^RSS \d+ (\d+)$", out, re.M)]
    assert len(rss) == 2, out
    assert rss[1] - rss[0] < 1024, f"RSS grew from {rss[0]} KiB to {rss[1]} KiB over 200 cycles"


def test_config_is_parsed_once_per_transaction(pam_env, tmp_path):
    """auth then account on one PAM handle: account reuses the jcfed.conf auth parsed (kept on
    the handle with pam_set_data, freed by pam_end), so a user who is not federated costs one
    read and parse per login, not two; the next transaction (a new handle) reads the file again."""
    pam_env.write_config(routing={"groups": "federated"})
    (pam_env.pamd / "not-federated").write_text(
        f"auth sufficient {MODULE} config={pam_env.conf} debug\nauth required pam_permit.so\n"
        f"account [default=ignore success=ok] {MODULE} config={pam_env.conf} debug\naccount required pam_permit.so\n")
    syslog = tmp_path / "syslog"
    env = pam_env.env()
    env["PAMRUN_SYSLOG"] = str(syslog)
    out, paths = pam_env.opened_files("not-federated", "dave", "auth+acct", tmp_path / "open.trace", env=env, cycles=2)
    assert "RESULT auth PAM_SUCCESS" in out and "RESULT acct PAM_SUCCESS" in out, out
    conf_name = os.path.basename(str(pam_env.conf))
    opens = [path for path in paths if path == conf_name or path.endswith(f"/{conf_name}")]
    assert len(opens) == 2, "\n".join(opens)
    # Both stages of both transactions still decided (and logged) for dave.
    assert syslog.read_text().count("reason=not-routed") == 4, syslog.read_text()
