"""The hostile local caller: `jcfed` run as root by an admin whose environment, umask or --root
tree another user can influence. Each test runs the tool on a --root copy of golden/debian12
(as test_tool.py does) and shows the attack failing:

- writers never widen jcfed.conf: its mode and group are kept, and an inline client_secret makes
  it 0600 (the module refuses a secret others can read);
- pam-auth-update gets a fixed environment (PATH, LC_ALL, DEBIAN_FRONTEND, the debconf variable
  under --root) and umask 022, nothing of the caller's: no PERL5OPT/PERL5LIB code, no programs
  from the caller's PATH;
- $JCFED_ROOT counts only for unprivileged runs;
- as root, --root must be a tree only root can change, and paths in it never lead out of it
  (pam-auth-update, which follows links, gets no tree with links where it works).

Most tests need root (they are about what root does); they are skipped otherwise.
"""
import atexit
import os
import pathlib
import shutil
import stat
import subprocess
import tempfile

import pytest

from conftest import (CLIENT, PAM_AUTH_UPDATE, SECRET, TOOL, URL, add_idp, conf, jcfed, make_root,
                      needs_pam_auth_update)

pytestmark = pytest.mark.usefixtures("tool_binary")
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root")
NOBODY = 65534
ADM_GID = 4


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def snapshot(directory):
    """Every file under `directory` with its contents (links by target), to show nothing changed."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(directory):
        for name in dirnames + filenames:
            p = pathlib.Path(dirpath) / name
            if p.is_symlink():
                out[str(p)] = "-> " + os.readlink(p)
            elif p.is_file():
                out[str(p)] = p.read_bytes()
    return out


# --------------------------------------------------------------------------------------------
# 1. The tool never widens jcfed.conf


def _setup_plain(root, tmp_path):
    add_idp(root)
    assert jcfed(root, "routing", "add", "linux-federated").returncode == 0


def _setup_enabled(root, tmp_path):
    _setup_plain(root, tmp_path)
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd")
    assert r.returncode == 0, r.stderr


# (name, setup, command): every command that writes jcfed.conf. idp delete keeps the file
# because routing is left in it.
WRITERS = [
    ("idp add --force", _setup_plain,
     ["idp", "add", "--force", "--type", "azure", "--name", "Other", "--url", URL, "--client-id", CLIENT]),
    ("idp update", _setup_plain, ["idp", "update", "--name", "Renamed"]),
    ("idp delete", _setup_plain, ["idp", "delete", "--yes"]),
    ("enable --services", _setup_plain, ["enable", "--yes", "--no-idp-check", "--services", "sshd"]),
    ("disable", _setup_enabled, ["disable", "--yes"]),
    ("routing add", _setup_plain, ["routing", "add", "admins"]),
    ("routing remove", _setup_plain, ["routing", "remove", "linux-federated"]),
]
if os.access(PAM_AUTH_UPDATE, os.X_OK):
    WRITERS.append(("enable system-wide", _setup_plain, ["enable", "--yes", "--no-idp-check"]))


@as_root
@pytest.mark.parametrize("name,setup,command", WRITERS, ids=[w[0] for w in WRITERS])
def test_writers_keep_mode_and_group(root, tmp_path, name, setup, command):
    setup(root, tmp_path)
    path = root / "etc/jcfed/jcfed.conf"
    os.chown(path, 0, ADM_GID)
    os.chmod(path, 0o640)
    before = path.read_text()
    r = jcfed(root, *command)
    assert r.returncode == 0, r.stdout + r.stderr
    assert path.read_text() != before, "the command did not rewrite jcfed.conf"
    st = os.lstat(path)
    assert (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (0o640, 0, ADM_GID)


INLINE = f"[idp]\ntype = azure\nname = Entra OIDC\nurl = {URL}\nclient_id = {CLIENT}\nclient_secret = {SECRET}\n" \
         "[routing]\ngroups = linux-federated\n"


@as_root
@pytest.mark.parametrize("name,setup,command", [w for w in WRITERS if w[0] != "idp add --force"],
                         ids=[w[0] for w in WRITERS if w[0] != "idp add --force"])
@pytest.mark.parametrize("initial", [0o600, 0o644])
def test_inline_secret_is_written_0600(root, tmp_path, name, setup, command, initial):
    """A file with client_secret = ... ends up 0600 whatever it was (0644 is what the module
    refuses: with --offline deny that locks every routed user out)."""
    etc = root / "etc/jcfed"
    etc.mkdir(parents=True)
    path = etc / "jcfed.conf"
    path.write_text(INLINE)
    os.chmod(path, 0o600)
    if setup is _setup_enabled:
        r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd")
        assert r.returncode == 0, r.stderr
    os.chmod(path, initial)
    r = jcfed(root, *command)
    if command[0] == "enable" and initial == 0o644:
        # enable loads the configuration as the module does, and refuses it the same way
        assert r.returncode == 1 and "chmod 600" in r.stderr, r.stdout + r.stderr
        assert mode(path) == 0o644 and "pam_jcfed" not in (root / "etc/pam.d/common-auth").read_text()
        return
    assert r.returncode == 0, r.stdout + r.stderr
    if "client_secret" in path.read_text():
        assert mode(path) == 0o600
        r = jcfed(root, "check-config")
        assert r.returncode == 0, r.stdout + r.stderr
    else:  # idp delete removed the [idp] section and the secret with it
        assert name == "idp delete" and mode(path) == initial


@as_root
def test_new_file_is_0644_and_a_narrower_one_stays_narrow(root):
    assert jcfed(root, "routing", "add", "g1").returncode == 0
    path = root / "etc/jcfed/jcfed.conf"
    assert mode(path) == 0o644
    os.chmod(path, 0o400)
    assert jcfed(root, "routing", "add", "g2").returncode == 0
    assert mode(path) == 0o400


def test_group_is_dropped_rather_than_given_to_another_group(tmp_path):
    """Unprivileged under --root: a 0640 file of a group the user is not in cannot keep that
    group, so the new file has no group permissions instead of the user's own group."""
    if os.geteuid() != 0:
        pytest.skip("needs root to set up the users")
    base = pathlib.Path(tempfile.mkdtemp(dir="/tmp", prefix="jcfed-nobody."))
    os.chmod(base, 0o755)
    try:
        _group_is_dropped(make_root(base))
    finally:
        shutil.rmtree(base)


def _group_is_dropped(root):
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            os.lchown(os.path.join(dirpath, n), NOBODY, NOBODY)
    os.chown(root, NOBODY, NOBODY)
    etc = root / "etc/jcfed"
    etc.mkdir()
    os.chown(etc, NOBODY, NOBODY)
    path = etc / "jcfed.conf"
    path.write_text("[routing]\ngroups = g1\n")
    os.chown(path, NOBODY, ADM_GID)
    os.chmod(path, 0o640)
    r = as_nobody([str(TOOL), "--root", str(root), "routing", "add", "g2"])
    assert r.returncode == 0, r.stderr
    st = os.lstat(path)
    assert st.st_uid == NOBODY and (st.st_gid == ADM_GID or stat.S_IMODE(st.st_mode) & 0o070 == 0)
    assert stat.S_IMODE(st.st_mode) & ~0o640 == 0


# --------------------------------------------------------------------------------------------
# 2. pam-auth-update gets a fixed environment


def hostile_environment(tmp_path):
    """PERL5OPT/PERL5LIB that load a module, and a PATH whose md5sum, cp, perl and
    pam-auth-update all leave a marker: any of them running means the caller's environment
    reached a program run as root."""
    marker = tmp_path / "marker"
    lib = tmp_path / "perl5"
    lib.mkdir()
    (lib / "JcfedMarker.pm").write_text(
        f"package JcfedMarker;\nopen(my $f, '>>', '{marker}'); print $f \"perl5opt\\n\"; close($f);\n1;\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for prog in ("md5sum", "cp", "perl", "pam-auth-update", "debconf-communicate"):
        p = bin_dir / prog
        p.write_text(f"#!/bin/sh\necho {prog} >> '{marker}'\nexec /usr/bin/{prog} \"$@\"\n")
        os.chmod(p, 0o755)
    env = {"PERL5OPT": "-MJcfedMarker", "PERL5LIB": str(lib), "PERLLIB": str(lib),
           "PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}", "LC_ALL": "C"}
    return env, marker


@needs_pam_auth_update
@pytest.mark.parametrize("command", [["enable", "--yes", "--no-idp-check"], ["disable", "--yes"]],
                         ids=["enable", "disable"])
def test_callers_perl_and_path_do_not_reach_pam_auth_update(root, tmp_path, command):
    add_idp(root)
    if command[0] == "disable":
        assert jcfed(root, "enable", "--yes", "--no-idp-check").returncode == 0
    env, marker = hostile_environment(tmp_path)
    r = jcfed(root, *command, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert not marker.exists(), marker.read_text()
    text = (root / "etc/pam.d/common-auth").read_text()
    assert ("pam_jcfed.so" in text) == (command[0] == "enable")


def test_environment_check_detects_the_attack(tmp_path):
    """The hostile environment does run code in a Perl program that runs md5sum, as
    pam-auth-update does, when it is passed on (so the test above would see it)."""
    env, marker = hostile_environment(tmp_path)
    subprocess.run(["/usr/bin/perl", "-e", "system('md5sum </dev/null >/dev/null')"], env=env,
                   capture_output=True, timeout=60)
    assert marker.read_text().split() == ["perl5opt", "md5sum"]


@as_root
@needs_pam_auth_update
def test_pam_auth_update_gets_exactly_the_fixed_environment(root, tmp_path):
    """A stand-in bind-mounted over /usr/sbin/pam-auth-update in a private mount namespace
    records its environment and umask."""
    if not shutil.which("unshare"):
        pytest.skip("unshare is missing")
    add_idp(root)
    record = tmp_path / "env.txt"
    fake = tmp_path / "fake-pam-auth-update"
    fake.write_text(f"#!/bin/sh\numask > '{record}'\nenv >> '{record}'\nexit 0\n")
    os.chmod(fake, 0o755)
    script = f"mount --bind '{fake}' {PAM_AUTH_UPDATE} && exec \"$@\""
    env = dict(os.environ, PERL5LIB="/nonexistent", LD_LIBRARY_PATH="/nonexistent", HOME="/root",
               JCFED_CANARY="x")
    env.pop("JCFED_ROOT", None)
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                        str(TOOL), "--root", str(root), "enable", "--yes", "--no-idp-check"],
                       env=env, capture_output=True, text=True, timeout=120, preexec_fn=lambda: os.umask(0))
    assert record.exists(), r.stdout + r.stderr
    lines = record.read_text().splitlines()
    assert lines[0] == "0022"
    got = dict(l.split("=", 1) for l in lines[1:] if "=" in l)
    got.pop("PWD", None)  # set by sh itself
    got.pop("OLDPWD", None)
    got.pop("SHLVL", None)
    assert set(got) == {"PATH", "LC_ALL", "DEBIAN_FRONTEND", "DEBCONF_SYSTEMRC"}, got
    assert got["PATH"] == "/usr/sbin:/usr/bin:/sbin:/bin"
    assert got["LC_ALL"] == "C" and got["DEBIAN_FRONTEND"] == "noninteractive"
    assert got["DEBCONF_SYSTEMRC"].startswith("/tmp/jcfed-debconf.")


@needs_pam_auth_update
def test_callers_umask_does_not_make_pam_files_writable(root):
    add_idp(root)
    e = dict(os.environ)
    e.pop("JCFED_ROOT", None)
    r = subprocess.run([str(TOOL), "--root", str(root), "enable", "--yes", "--no-idp-check"], env=e,
                       capture_output=True, text=True, timeout=120, preexec_fn=lambda: os.umask(0))
    assert r.returncode == 0, r.stdout + r.stderr
    for name in ("common-auth", "common-account"):
        assert mode(root / "etc/pam.d" / name) & 0o022 == 0, name
    for name in ("auth", "account", "seen"):
        assert mode(root / "var/lib/pam" / name) & 0o022 == 0, name


# --------------------------------------------------------------------------------------------
# 3. $JCFED_ROOT is ignored when root


_NOBODY_TOOL = []


def _tool_nobody_can_run():
    """A copy of build/jcfed in a folder nobody can reach: the checkout may sit below folders
    closed to others (a CI clone in a 0700 mktemp folder, /root)."""
    if not _NOBODY_TOOL:
        d = pathlib.Path(tempfile.mkdtemp(dir="/tmp", prefix="jcfed-tool."))
        atexit.register(shutil.rmtree, d, True)
        os.chmod(d, 0o755)
        copy = d / "jcfed"
        shutil.copy2(TOOL, copy)
        os.chmod(copy, 0o755)
        _NOBODY_TOOL.append(copy)
    return str(_NOBODY_TOOL[0])


def as_nobody(cmd, env=None):
    cmd = [_tool_nobody_can_run() if c == str(TOOL) else c for c in cmd]

    def drop():
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    e = {"PATH": "/usr/bin:/bin", "LC_ALL": "C"}
    e.update(env or {})
    return subprocess.run(cmd, env=e, capture_output=True, text=True, timeout=120, preexec_fn=drop, cwd="/")


@as_root
def test_jcfed_root_is_ignored_as_root(root):
    """A stray JCFED_ROOT (kept by `su` or `sudo -E`) must not make the tool talk about, or
    write to, another tree than the system. Only read-only commands are run here."""
    add_idp(root)
    assert jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd").returncode == 0
    e = dict(os.environ, JCFED_ROOT=str(root))
    for command in (["status"], ["idp", "show"], ["routing", "list"], ["directory", "show"], ["pins", "list"]):
        r = subprocess.run([str(TOOL)] + command, env=e, capture_output=True, text=True, timeout=120)
        assert str(root) not in r.stdout + r.stderr, (command, r.stdout, r.stderr)
    r = subprocess.run([str(TOOL), "status"], env=e, capture_output=True, text=True, timeout=120)
    assert "enabled for sshd" not in r.stdout


@as_root
def test_jcfed_root_still_counts_when_not_root(tmp_path):
    base = pathlib.Path(tempfile.mkdtemp(dir="/tmp", prefix="jcfed-nobody."))
    try:
        os.chown(base, NOBODY, NOBODY)
        r = as_nobody([str(TOOL), "routing", "add", "g1"], env={"JCFED_ROOT": str(base)})
        assert r.returncode == 0, r.stderr
        assert "groups = g1" in (base / "etc/jcfed/jcfed.conf").read_text()
        r = as_nobody([str(TOOL), "routing", "list"], env={"JCFED_ROOT": str(base)})
        assert r.stdout.split() == ["g1"], r.stderr
    finally:
        shutil.rmtree(base)


# The directory and pins commands run on the same context as the others: those that change the
# system need root on the real system, those that only read do not.
CHANGING_AS_NOBODY = [
    ["pins", "reset", "alice"],
    ["pins", "reset", "--yes"],
    ["directory", "sync"],
    ["directory", "import", "/nonexistent/directory.json"],
    ["directory", "schedule", "enable"],
    ["directory", "schedule", "disable"],
]


@as_root
@pytest.mark.parametrize("command", CHANGING_AS_NOBODY, ids=" ".join)
def test_changing_directory_and_pins_commands_need_root(command):
    r = as_nobody([str(TOOL)] + command)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "run it as root" in r.stderr, r.stderr


@as_root
@pytest.mark.parametrize("command", [["pins", "list"], ["directory", "show"], ["directory", "schedule", "status"]],
                         ids=" ".join)
def test_reading_directory_and_pins_commands_stay_open(command):
    r = as_nobody([str(TOOL)] + command)
    assert "run it as root" not in r.stderr, r.stderr


def test_help_and_man_page_say_jcfed_root_is_ignored_as_root():
    out = subprocess.run([str(TOOL), "--help"], capture_output=True, text=True, timeout=60).stdout
    assert "$JCFED_ROOT is ignored" in " ".join(out.split())
    man = (pathlib.Path(__file__).resolve().parents[2] / "man/jcfed.8").read_text()
    assert "ignored" in man[man.index(".SH ENVIRONMENT"):]


# --------------------------------------------------------------------------------------------
# 4. As root, --root is a tree only root can change, and paths stay in it


@as_root
@pytest.mark.parametrize("change", ["tree owned by a user", "tree group-writable", "tree other-writable",
                                    "parent owned by a user", "parent other-writable",
                                    "through a symlink into a user's directory"])
def test_root_tree_others_can_change_is_refused(tmp_path, change):
    base = tmp_path / "base"
    base.mkdir()
    os.chmod(tmp_path, 0o755)
    root = make_root(base)
    given = root
    if change == "tree owned by a user":
        os.chown(root, NOBODY, NOBODY)
    elif change == "tree group-writable":
        os.chmod(root, 0o775)
    elif change == "tree other-writable":
        os.chmod(root, 0o1777)  # sticky or not, DIR itself must not be writable by others
    elif change == "parent owned by a user":
        os.chown(base, NOBODY, NOBODY)
    elif change == "parent other-writable":
        os.chmod(base, 0o777)
    else:
        os.chown(base, NOBODY, NOBODY)
        (tmp_path / "link").symlink_to(base)
        given = tmp_path / "link" / "root"
    r = jcfed(given, "routing", "add", "g1")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "only root can change" in r.stderr and "--root" in r.stderr
    assert not (root / "etc/jcfed").exists()


@as_root
def test_root_under_a_sticky_root_owned_directory_is_accepted(tmp_path):
    base = tmp_path / "sticky"
    base.mkdir()
    os.chmod(base, 0o1777)
    os.chmod(tmp_path, 0o755)
    root = make_root(base)
    r = jcfed(root, "routing", "add", "g1")
    assert r.returncode == 0, r.stderr
    via_link = tmp_path / "link"
    via_link.symlink_to(root)
    r = jcfed(via_link, "routing", "list")
    assert r.returncode == 0 and r.stdout.split() == ["g1"], r.stderr


@as_root
def test_directory_in_the_tree_others_can_write_is_refused(root):
    add_idp(root)
    os.chmod(root / "etc/jcfed", 0o777)
    before = conf(root)
    r = jcfed(root, "routing", "add", "g1")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "etc/jcfed is writable by others" in r.stderr
    assert conf(root) == before


@pytest.mark.parametrize("link", ["absolute", "relative"])
def test_symlinked_directory_never_leads_out_of_the_tree(root, tmp_path, link):
    """etc/jcfed pointing out of the tree (absolutely, or with ../..) is resolved inside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    target = str(outside) if link == "absolute" else "../" * 20 + str(outside).lstrip("/")
    (root / "etc/jcfed").symlink_to(target)
    r = jcfed(root, "routing", "add", "g1")
    assert r.returncode == 0, r.stdout + r.stderr
    assert list(outside.iterdir()) == []
    inside = root / str(outside).lstrip("/") / "jcfed.conf"
    assert "groups = g1" in inside.read_text()
    r = jcfed(root, "routing", "list")
    assert r.stdout.split() == ["g1"], r.stderr


def test_symlinked_pam_d_never_leads_out_of_the_tree(root, tmp_path):
    add_idp(root)
    outside = tmp_path / "outside-pam.d"
    shutil.copytree(root / "etc/pam.d", outside)
    shutil.rmtree(root / "etc/pam.d")
    (root / "etc/pam.d").symlink_to(outside)
    before = snapshot(outside)
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd")
    assert r.returncode != 0
    assert snapshot(outside) == before


@needs_pam_auth_update
@pytest.mark.parametrize("where", ["etc/pam.d", "var/lib/pam", "usr/share/pam-configs", "var/lib",
                                   "etc/pam.d/common-auth", "var/lib/pam/seen", "var/cache/debconf/config.dat"])
def test_pam_auth_update_gets_no_tree_with_links(root, tmp_path, where):
    add_idp(root)
    outside = tmp_path / "outside"
    if where.startswith("var/cache/debconf"):
        (root / where).parent.mkdir(parents=True)
        (root / where).write_text("")
    shutil.copytree(root, outside, symlinks=True)
    real = root / where
    if real.is_dir():
        shutil.rmtree(real)
    else:
        real.unlink()
    real.symlink_to(outside / where)
    before = snapshot(outside)
    r = jcfed(root, "enable", "--yes", "--no-idp-check")
    assert snapshot(outside) == before
    if where == "etc/pam.d":  # common-auth is then looked for in the tree, not found: exit 3
        assert r.returncode == 3, r.stdout + r.stderr
    else:
        assert r.returncode == 2, r.stdout + r.stderr
        assert "symbolic link" in r.stderr and "pam-auth-update" in r.stderr


@as_root
def test_secret_file_through_a_link_is_not_read(root, tmp_path):
    """client_secret_file = /srv/secret with srv -> a directory outside the tree."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("outside-secret\n")
    os.chmod(outside / "secret", 0o600)
    (root / "srv").symlink_to(outside)
    add_idp(root)
    path = root / "etc/jcfed/jcfed.conf"
    path.write_text(path.read_text().replace("[idp]\n", "[idp]\nclient_secret_file = /srv/secret\n", 1))
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd")
    assert r.returncode != 0
    assert "symbolic link" in r.stderr, r.stderr
    assert "pam_jcfed" not in (root / "etc/pam.d/sshd").read_text()
