"""The stacks `jcfed enable` writes, run by real libpam (build/pamrun, pam_start_confdir): the
control values do what jcfed(8) "THE PAM STACK" says.

Each stack is taken from the root `jcfed enable` just wrote, with pam_jcfed.so replaced by a
module whose return code is known: the built build/pam_jcfed.so (root, a broken configuration, an
unreachable IdP), pam_permit.so (a federated success) and pam_deny.so (a failed federated
sign-in: PAM_AUTH_ERR), or a path that does not exist (module missing). pam_unix.so is the
system's; "SECRET: Password:" in the output means the stack reached the local password.
"""
import os
import pathlib

import pytest

from conftest import MODULE, NSS_WRAPPER, PAMRUN, PAM_AUTH_UPDATE, TENANT, URL, add_idp, jcfed, make_root, pam_code_map

pytestmark = pytest.mark.skipif(not (PAMRUN.exists() and MODULE.exists()),
                                reason="build/pamrun and build/pam_jcfed.so are needed (make)")


def stacks(tmp_path, policy, mode):
    """A root with the IdP (unreachable) and jcfed enabled; returns (root, pam.d dir)."""
    root = make_root(tmp_path)
    add_idp(root)
    conf = root / "etc/jcfed/jcfed.conf"
    conf.write_text(conf.read_text().replace(
        f"url = {URL}",
        f"url = https://127.0.0.1:9/{TENANT}\nhttp_timeout = 2\nlogin_timeout = 20\nqr = off"))
    args = ["enable", "--yes", "--no-idp-check", "--offline", policy]
    if mode == "services":
        args += ["--services", "sshd"]
    r = jcfed(root, *args)
    assert r.returncode == 0, r.stdout + r.stderr
    return root, root / "etc/pam.d"


def swap_module(pamd, replacement):
    """Points every pam_jcfed.so line at `replacement` (a path and arguments), and every include
    at the root's own file: libpam resolves a relative `@include` against /etc/pam.d even under
    pam_start_confdir."""
    for f in pamd.iterdir():
        lines = []
        for line in f.read_text().split("\n"):
            if line.startswith("@include "):
                line = f"@include {pamd}/{line.split()[1]}"
            elif not line.lstrip().startswith("#"):
                line = line.replace("pam_jcfed.so", replacement)
            lines.append(line)
        f.write_text("\n".join(lines))


def run(tmp_path, pamd, user, answers=("wrong-password",)):
    passwd = tmp_path / "passwd"
    group = tmp_path / "group"
    passwd.write_text("root:x:0:0:root:/root:/bin/sh\nalice:x:1001:1001:alice:/home/alice:/bin/sh\n")
    group.write_text("root:x:0:\nalice:x:1001:\n")
    env = dict(os.environ, LD_PRELOAD=NSS_WRAPPER, NSS_WRAPPER_PASSWD=str(passwd), NSS_WRAPPER_GROUP=str(group),
               PAMRUN_SYSLOG=str(tmp_path / "syslog.txt"))
    cmd = [str(PAMRUN), "-d", str(pamd), "-s", "sshd", "-u", user, "-o", "auth"]
    for a in answers:
        cmd += ["-a", a]
    import subprocess
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    out = p.stdout + p.stderr
    return pam_code_map(out).get("auth"), "SECRET: Password:" in out, out


MODES = ["services"] + (["system"] if os.access(PAM_AUTH_UPDATE, os.X_OK) else [])
POLICIES = ["local-password", "deny"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("policy", POLICIES)
def test_root_always_reaches_the_local_password(tmp_path, policy, mode):
    root, pamd = stacks(tmp_path, policy, mode)
    swap_module(pamd, f"{MODULE} config={root}/etc/jcfed/jcfed.conf")
    code, asked, out = run(tmp_path, pamd, "root")
    assert asked, out
    assert code == "PAM_AUTH_ERR", out  # the wrong password, judged by pam_unix


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("policy", POLICIES)
def test_missing_module_never_locks_anyone_out(tmp_path, policy, mode):
    root, pamd = stacks(tmp_path, policy, mode)
    swap_module(pamd, str(tmp_path / "no-such-module.so"))
    for user in ("root", "alice"):
        code, asked, out = run(tmp_path, pamd, user)
        assert asked, out


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("policy", POLICIES)
def test_federated_success_skips_the_password(tmp_path, policy, mode):
    root, pamd = stacks(tmp_path, policy, mode)
    swap_module(pamd, "pam_permit.so")
    code, asked, out = run(tmp_path, pamd, "alice", answers=())
    assert code == "PAM_SUCCESS" and not asked, out


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("policy", POLICIES)
def test_failed_federated_sign_in_never_falls_through(tmp_path, policy, mode):
    root, pamd = stacks(tmp_path, policy, mode)
    swap_module(pamd, "pam_deny.so")  # PAM_AUTH_ERR, as for a declined or wrong-user sign-in
    code, asked, out = run(tmp_path, pamd, "alice")
    assert code == "PAM_AUTH_ERR" and not asked, out


@pytest.mark.skipif(os.geteuid() != 0, reason="the module requires a root-owned jcfed.conf")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("policy", POLICIES)
def test_broken_configuration(tmp_path, policy, mode):
    """PAM_SERVICE_ERR: the local password with local-password, a refusal with deny."""
    root, pamd = stacks(tmp_path, policy, mode)
    conf = root / "etc/jcfed/jcfed.conf"
    conf.write_text(conf.read_text() + "[mapping]\nmin_uid = zero\n")
    swap_module(pamd, f"{MODULE} config={conf}")
    code, asked, out = run(tmp_path, pamd, "alice")
    if policy == "local-password":
        assert asked and code != "PAM_SUCCESS", out
    else:
        assert code == "PAM_SERVICE_ERR" and not asked, out


@pytest.mark.skipif(os.geteuid() != 0, reason="the module requires a root-owned jcfed.conf")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("policy", POLICIES)
def test_unreachable_idp(tmp_path, policy, mode):
    """PAM_AUTHINFO_UNAVAIL: the local password with local-password, a refusal with deny."""
    root, pamd = stacks(tmp_path, policy, mode)
    swap_module(pamd, f"{MODULE} config={root}/etc/jcfed/jcfed.conf")
    code, asked, out = run(tmp_path, pamd, "alice", answers=("", "", "wrong-password"))
    if policy == "local-password":
        assert asked and code != "PAM_SUCCESS", out
    else:
        assert code == "PAM_AUTHINFO_UNAVAIL" and not asked, out
