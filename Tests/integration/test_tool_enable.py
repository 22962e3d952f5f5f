"""`jcfed enable` that cannot hurt, on a --root copy of Debian 12's files.

1. sshd pre-flight: stock Debian 12 has KbdInteractiveAuthentication no; enable refuses sshd
   (per service or system-wide) until keyboard-interactive and UsePAM are on; --force overrides.
2. --dry-run prints the exact diff and changes nothing; the confirmation lists services added,
   kept and removed and the impacts; --add/--remove change one service.
6. Changes are transactional: a lock, a re-read before writing, the new mode verified before
   the old is removed, every touched file restored (and verified) on failure.
"""
import fcntl
import os
import pathlib
import subprocess
import time

import pytest

from conftest import PAM_AUTH_UPDATE, TOOL, add_idp, conf, jcfed, make_root, needs_pam_auth_update

KBD_ON = "KbdInteractiveAuthentication yes\n"


def snapshot(root):
    """Every file of the tree, byte for byte (the lock file excepted)."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.is_symlink() and p.name != "lock":
            out[str(p.relative_to(root))] = p.read_bytes()
    return out


def stock_root(tmp_path, dropin=None):
    root = make_root(tmp_path, sshd_ready=False)
    add_idp(root)
    if dropin is not None:
        d = root / "etc/ssh/sshd_config.d"
        d.mkdir(exist_ok=True)
        (d / "50-admin.conf").write_text(dropin)
    return root


def enable(root, *args, input=None):
    flags = [] if input is not None else ["--yes"]
    return jcfed(root, "enable", *flags, "--no-idp-check", *args, input=input)


def status(root):
    return jcfed(root, "status").stdout


# --------------------------------------------------------------------------------------------
# 1. sshd pre-flight

def test_stock_debian_sshd_is_refused_with_the_line_to_set(tmp_path):
    root = stock_root(tmp_path)
    assert "KbdInteractiveAuthentication no" in (root / "etc/ssh/sshd_config").read_text()
    before = snapshot(root)
    r = enable(root, "--services", "sshd")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "KbdInteractiveAuthentication yes" in r.stderr and "/etc/ssh/sshd_config:62" in r.stderr, r.stderr
    assert snapshot(root) == before


@needs_pam_auth_update
def test_system_wide_is_refused_too_while_sshd_cannot_show_the_code(tmp_path):
    root = stock_root(tmp_path)
    before = snapshot(root)
    r = enable(root)
    assert r.returncode == 2 and "KbdInteractiveAuthentication yes" in r.stderr, r.stdout + r.stderr
    assert snapshot(root) == before


def test_services_without_sshd_are_not_checked(tmp_path):
    root = stock_root(tmp_path)
    r = enable(root, "--services", "login")
    assert r.returncode == 0, r.stdout + r.stderr


def test_force_enables_with_a_warning(tmp_path):
    root = stock_root(tmp_path)
    r = enable(root, "--services", "sshd", "--force")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[WARN] --force" in r.stdout and "KbdInteractiveAuthentication yes" in r.stdout
    assert "pam_jcfed.so" in (root / "etc/pam.d/sshd").read_text()


def test_a_drop_in_read_first_wins_as_in_sshd(tmp_path):
    """Debian's sshd_config includes sshd_config.d/*.conf at its top: a drop-in's value wins."""
    root = stock_root(tmp_path, dropin=KBD_ON)
    r = enable(root, "--services", "sshd")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[ OK ] sshd" in r.stdout


@pytest.mark.parametrize("dropin,wanted", [
    ("ChallengeResponseAuthentication no\nKbdInteractiveAuthentication yes\n", "KbdInteractiveAuthentication yes"),
    (KBD_ON.replace("yes", "=yes") + "UsePAM no\n", "UsePAM yes"),
])
def test_old_name_and_usepam_are_checked(tmp_path, dropin, wanted):
    root = stock_root(tmp_path, dropin=dropin)
    r = enable(root, "--services", "sshd")
    assert r.returncode == 2 and wanted in r.stderr, r.stdout + r.stderr


def test_challenge_response_yes_counts_as_keyboard_interactive(tmp_path):
    root = stock_root(tmp_path, dropin="ChallengeResponseAuthentication yes\n")
    assert enable(root, "--services", "sshd").returncode == 0


@pytest.mark.parametrize("grace,warned", [("60", True), ("1m59s", True), ("2m", False), ("0", False), ("600", False)])
def test_login_grace_time_below_login_timeout_is_warned(tmp_path, grace, warned):
    root = stock_root(tmp_path, dropin=KBD_ON + f"LoginGraceTime {grace}\n")
    r = enable(root, "--services", "sshd")
    assert r.returncode == 0, r.stdout + r.stderr
    assert ("[WARN] sshd's LoginGraceTime" in r.stdout) == warned, r.stdout
    if warned:
        assert "Set 'LoginGraceTime 120'" in r.stdout


def test_match_blocks_do_not_count(tmp_path):
    root = stock_root(tmp_path)
    cfg = root / "etc/ssh/sshd_config"
    cfg.write_text(cfg.read_text().replace("KbdInteractiveAuthentication no", "#") + "Match User bob\n  KbdInteractiveAuthentication no\n")
    assert enable(root, "--services", "sshd").returncode == 0


def test_status_and_idp_test_report_sshd(tmp_path):
    root = stock_root(tmp_path)
    assert "sshd:           NOT READY: sshd has keyboard-interactive authentication off" in status(root)
    r = jcfed(root, "idp", "test")
    assert "[WARN] sshd has keyboard-interactive authentication off" in r.stdout, r.stdout
    # Enabled anyway (--force): idp test now fails on it.
    assert enable(root, "--services", "sshd", "--force").returncode == 0
    r = jcfed(root, "idp", "test")
    assert r.returncode == 1 and "[FAIL] sshd has keyboard-interactive" in r.stdout


# --------------------------------------------------------------------------------------------
# 2. --dry-run, the confirmation, --add/--remove

def apply_patch(tree, diff_text):
    p = subprocess.run(["patch", "-p1", "-s", "-d", str(tree)], input=diff_text, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr + diff_text


def diff_part(stdout):
    return "".join(l + "\n" for l in stdout.splitlines() if l[:1] in "-+ @\\" and not l.startswith("[ "))


@pytest.mark.parametrize("mode", ["services", "system", "system-to-services"])
def test_dry_run_prints_the_exact_diff_and_changes_nothing(tmp_path, mode):
    if mode != "services" and not os.access(PAM_AUTH_UPDATE, os.X_OK):
        pytest.skip("pam-auth-update is not installed")
    root = stock_root(tmp_path, dropin=KBD_ON)
    args = [] if mode == "system" else ["--services", "sshd,login"]
    if mode == "system":
        assert enable(root, "--services", "sshd").returncode == 0  # switching also removes these lines
    if mode == "system-to-services":
        assert enable(root).returncode == 0  # switching also turns system-wide off
    before = snapshot(root)
    r = enable(root, *args, "--dry-run")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Dry run: nothing was changed" in r.stdout
    assert snapshot(root) == before
    # The diff, applied to a copy, gives exactly what enable then writes.
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(root), str(copy)], check=True)
    apply_patch(copy, diff_part(r.stdout))
    assert enable(root, *args).returncode == 0
    files = ["etc/pam.d/sshd", "etc/pam.d/login", "etc/jcfed/jcfed.conf"]
    if mode != "services":
        files += ["etc/pam.d/common-auth", "etc/pam.d/common-account", "usr/share/pam-configs/jcfed"]
    for f in files:
        assert (copy / f).read_text() == (root / f).read_text(), f


def test_confirmation_lists_added_kept_removed_and_impacts(tmp_path):
    root = stock_root(tmp_path, dropin=KBD_ON)
    assert enable(root, "--services", "sshd").returncode == 0
    before = snapshot(root)
    r = enable(root, "--services", "login,su,sudo", input="no\n")
    assert r.returncode == 2
    out = r.stdout
    assert "added: login, su, sudo; kept: none; removed: sshd" in out, out
    assert "sudo -S" in out and "Ansible" in out
    assert "login: a federated sign-in ends its auth stack (success=done): pam_group.so" in out
    assert snapshot(root) == before


@needs_pam_auth_update
def test_system_wide_confirmation_names_its_reach(tmp_path):
    root = stock_root(tmp_path, dropin=KBD_ON)
    r = enable(root, input="no\n")
    assert "polkit" in r.stdout and "screen lockers" in r.stdout and "sudo -S" in r.stdout, r.stdout
    assert "(login, other, sshd, su, sudo)" in r.stdout


def test_add_and_remove_one_service(tmp_path):
    root = stock_root(tmp_path, dropin=KBD_ON)
    assert enable(root, "--services", "sshd").returncode == 0
    r = enable(root, "--add", "login", input="yes\n")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "added: login; kept: sshd; removed: none" in r.stdout
    assert "enabled for login, sshd" in status(root)
    assert "services = sshd login" in conf(root)
    r = enable(root, "--remove", "sshd")
    assert r.returncode == 0, r.stderr
    assert "enabled for login" in status(root) and "pam_jcfed" not in (root / "etc/pam.d/sshd").read_text()
    r = enable(root, "--remove", "login")
    assert r.returncode == 64 and "jcfed disable" in r.stderr
    assert enable(root, "--services", "sshd", "--add", "su").returncode == 64


# --------------------------------------------------------------------------------------------
# 6. transactions

def modify_common_auth_locally(root):
    """A line pam-auth-update did not write: it then prints "Local modifications ..., not
    updating" and exits 0 without changing anything."""
    p = root / "etc/pam.d/common-auth"
    lines = p.read_text().split("\n")
    at = next(i for i, l in enumerate(lines) if "pam_unix.so" in l and not l.startswith("#"))
    lines.insert(at + 1, "auth\toptional\tpam_faildelay.so delay=1")
    p.write_text("\n".join(lines))


@needs_pam_auth_update
def test_switch_to_system_wide_failing_keeps_sshd_enabled(tmp_path):
    """The finding: sshd enabled per service under deny; a system-wide enable on a host with
    local changes to common-* must leave sshd enabled, status and jcfed.conf agreeing."""
    root = stock_root(tmp_path, dropin=KBD_ON)
    assert enable(root, "--services", "sshd", "--offline", "deny").returncode == 0
    modify_common_auth_locally(root)
    before = snapshot(root)
    r = enable(root, "--offline", "deny")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "pam-auth-update did not add" in r.stderr
    assert "enabled for sshd" in status(root)
    assert "services = sshd" in conf(root)
    assert snapshot(root) == before


@needs_pam_auth_update
def test_switch_to_services_failing_restores_everything(tmp_path):
    root = stock_root(tmp_path, dropin=KBD_ON)
    assert enable(root).returncode == 0
    modify_common_auth_locally(root)
    before = snapshot(root)
    r = enable(root, "--services", "sshd")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "restored and verified" in r.stderr and "etc/pam.d/sshd" in r.stderr
    assert snapshot(root) == before
    assert "enabled system-wide" in status(root)


def chattr(path, flag):
    subprocess.run(["chattr", flag, str(path)], check=True, capture_output=True)


needs_chattr = pytest.mark.skipif(os.geteuid() != 0, reason="chattr +i needs root")


@needs_chattr
def test_a_write_failing_partway_restores_the_files_written_before(tmp_path):
    root = stock_root(tmp_path, dropin=KBD_ON)
    before = snapshot(root)
    login = root / "etc/pam.d/login"
    chattr(login, "+i")  # rename over it fails, even as root
    try:
        r = enable(root, "--services", "sshd,login")
    finally:
        chattr(login, "-i")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "restored and verified" in r.stderr
    assert snapshot(root) == before
    assert "PAM:            disabled" in status(root)


@needs_chattr
@needs_pam_auth_update
def test_config_write_failing_rolls_back_pam_auth_update(tmp_path):
    root = stock_root(tmp_path, dropin=KBD_ON)
    before = snapshot(root)
    confdir = root / "etc/jcfed"
    chattr(confdir, "+i")  # no temporary file can be created for jcfed.conf
    try:
        r = enable(root)
    finally:
        chattr(confdir, "-i")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "restored and verified" in r.stderr
    assert snapshot(root) == before  # pam-auth-update's saved state and debconf database included
    assert "PAM:            disabled" in status(root)


def read_until(stream, marker, timeout=60):
    buf = ""
    deadline = time.monotonic() + timeout
    while marker not in buf:
        assert time.monotonic() < deadline, buf
        c = stream.read(1)
        assert c, buf
        buf += c
    return buf


def test_a_line_added_while_the_prompt_waits_is_never_dropped(tmp_path):
    root = stock_root(tmp_path, dropin=KBD_ON)
    env = dict(os.environ)
    env.pop("JCFED_ROOT", None)
    p = subprocess.Popen([str(TOOL), "--root", str(root), "enable", "--no-idp-check", "--services", "sshd"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        read_until(p.stdout, 'Type "yes" to continue: ')
        sshd = root / "etc/pam.d/sshd"
        edited = "auth required pam_faillock.so preauth\n" + sshd.read_text()
        sshd.write_text(edited)
        out, err = p.communicate("yes\n", timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 2, err
    assert "changed while this command was running" in err
    assert sshd.read_text() == edited
    assert "services =" not in conf(root) and "PAM:            disabled" in status(root)


def test_a_second_command_waits_for_the_lock_then_refuses(tmp_path):
    root = stock_root(tmp_path, dropin=KBD_ON)
    lock = root / "var/lib/jcfed/lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    before = snapshot(root)
    with open(lock, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        r = enable(root, "--services", "sshd")
    assert r.returncode == 2 and "another jcfed command" in r.stderr, r.stderr
    assert snapshot(root) == before
    assert enable(root, "--services", "sshd").returncode == 0


def test_disable_still_turns_everything_off(tmp_path):
    root = stock_root(tmp_path, dropin=KBD_ON)
    assert enable(root, "--services", "sshd").returncode == 0
    r = jcfed(root, "disable", "--yes")
    assert r.returncode == 0, r.stderr
    assert "PAM:            disabled" in status(root) and "services =" not in conf(root)


def test_under_root_a_symlinked_drop_in_is_not_followed(tmp_path):
    """A link in the tree could point out of it: not read (the stock value then stands)."""
    root = stock_root(tmp_path)
    outside = tmp_path / "outside.conf"
    outside.write_text(KBD_ON)
    (root / "etc/ssh/sshd_config.d").mkdir(exist_ok=True)
    (root / "etc/ssh/sshd_config.d/50-link.conf").symlink_to(outside)
    r = enable(root, "--services", "sshd")
    assert r.returncode == 2 and "KbdInteractiveAuthentication yes" in r.stderr, r.stdout + r.stderr


def test_disable_aborts_when_a_file_changed_while_the_prompt_waited(tmp_path):
    root = stock_root(tmp_path, dropin=KBD_ON)
    assert enable(root, "--services", "sshd").returncode == 0
    env = dict(os.environ)
    env.pop("JCFED_ROOT", None)
    p = subprocess.Popen([str(TOOL), "--root", str(root), "disable"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        read_until(p.stdout, 'Type "yes" to continue: ')
        sshd = root / "etc/pam.d/sshd"
        edited = sshd.read_text() + "# another admin\n"
        sshd.write_text(edited)
        out, err = p.communicate("yes\n", timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 2 and "changed while this command was running" in err, err
    assert sshd.read_text() == edited
    assert "enabled for sshd" in status(root) and "services = sshd" in conf(root)


def test_status_says_when_pam_and_jcfed_conf_are_out_of_step(tmp_path):
    """A state left by an older jcfed (sshd's lines removed, services = sshd kept) is shown."""
    root = stock_root(tmp_path, dropin=KBD_ON)
    assert enable(root, "--services", "sshd").returncode == 0
    assert "OUT OF STEP" not in status(root)
    backup = root / "var/lib/jcfed/pam.d-backup/sshd"
    (root / "etc/pam.d/sshd").write_text(backup.read_text())
    out = status(root)
    assert "PAM:            disabled" in out and "OUT OF STEP: jcfed.conf [pam] services says sshd" in out, out


@needs_pam_auth_update
def test_a_hand_added_line_makes_system_wide_fail_whole(tmp_path):
    """A pam_jcfed.so line jcfed did not add would run the device login twice: nothing changes."""
    root = stock_root(tmp_path, dropin=KBD_ON)
    su = root / "etc/pam.d/su"
    su.write_text("auth sufficient pam_jcfed.so\n" + su.read_text())
    before = snapshot(root)
    r = enable(root)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "not what was planned" in r.stderr and "did not add" in r.stderr and "restored and verified" in r.stderr
    assert snapshot(root) == before


def test_idp_delete_aborts_when_a_pam_file_changed_while_the_prompt_waited(tmp_path):
    """idp delete disables PAM in the same transaction as enable and disable: planned against
    what it read, under the lock; a line another admin added meanwhile is never dropped."""
    root = stock_root(tmp_path, dropin=KBD_ON)
    assert enable(root, "--services", "sshd").returncode == 0
    env = dict(os.environ)
    env.pop("JCFED_ROOT", None)
    p = subprocess.Popen([str(TOOL), "--root", str(root), "idp", "delete"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        read_until(p.stdout, 'Type "yes, delete" to continue: ')
        sshd = root / "etc/pam.d/sshd"
        edited = sshd.read_text() + "auth required pam_faillock.so preauth\n"
        sshd.write_text(edited)
        out, err = p.communicate("yes, delete\n", timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 2 and "changed while this command was running" in err, err
    assert sshd.read_text() == edited
    assert "enabled for sshd" in status(root) and "[idp]" in conf(root)


@needs_chattr
def test_idp_delete_failing_partway_restores_pam_and_the_configuration(tmp_path):
    root = stock_root(tmp_path, dropin=KBD_ON)
    assert enable(root, "--services", "sshd").returncode == 0
    before = snapshot(root)
    confdir = root / "etc/jcfed"
    chattr(confdir, "+i")  # jcfed.conf cannot be rewritten after PAM was disabled
    try:
        r = jcfed(root, "idp", "delete", "--yes")
    finally:
        chattr(confdir, "-i")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "restored and verified" in r.stderr
    assert snapshot(root) == before
    assert "enabled for sshd" in status(root)
