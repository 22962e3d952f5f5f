"""The admin tool in operation: no silent lockouts (changes while enabled re-run the IdP checks),
what happened (`logins`, `status`), a safe `idp delete`, and the small fixes. Tool tests on a
`--root` copy of Debian 12 files; the IdP checks run against the Entra emulator over real TLS
(conftest `idp_root`), or an address that refuses connections.
"""
import gzip
import json
import os
import pathlib
import shutil
import subprocess
import threading
import time

import pytest

from conftest import (CLIENT, ROOT, SECRET, TENANT, TOOL, URL, add_idp, conf, interactive_login, jcfed, make_root,
                      secret_file)

OTHER_CLIENT = "99999999-8888-7777-6666-555555555555"
# Nothing listens on port 9 of 127.0.0.1: the IdP checks fail fast (connection refused).
DEAD_URL = f"https://127.0.0.1:9/{TENANT}"


def enabled(root, *services):
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", ",".join(services or ("sshd",)))
    assert r.returncode == 0, r.stdout + r.stderr


def dead_idp_root(tmp_path):
    root = make_root(tmp_path)
    r = jcfed(root, "idp", "add", "--type", "azure", "--name", "Entra OIDC", "--url", DEAD_URL, "--client-id", CLIENT)
    assert r.returncode == 0, r.stderr
    return root


# --------------------------------------------------------------------------------------------
# 3. no silent lockouts


def test_idp_update_while_enabled_runs_the_checks_and_refuses(idp_root, entra):
    enabled(idp_root)
    before = conf(idp_root)
    r = jcfed(idp_root, "idp", "update", "--client-id", OTHER_CLIENT)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "AADSTS700016" in r.stdout and "--force" in r.stderr
    assert conf(idp_root) == before
    r = jcfed(idp_root, "idp", "update", "--client-id", OTHER_CLIENT, "--force")
    assert r.returncode == 0, r.stderr
    assert f"client_id = {OTHER_CLIENT}" in conf(idp_root) and "--force" in r.stderr


def test_idp_update_while_enabled_passes_when_the_checks_pass(idp_root, entra):
    enabled(idp_root)
    r = jcfed(idp_root, "idp", "update", "--name", "Contoso Entra ID")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[ OK ] device code flow allowed" in r.stdout
    assert "name = Contoso Entra ID" in conf(idp_root)


def test_idp_update_while_disabled_runs_no_checks(idp_root, entra):
    r = jcfed(idp_root, "idp", "update", "--client-id", OTHER_CLIENT)
    assert r.returncode == 0 and "[ OK ]" not in r.stdout
    assert not entra.requests()


def test_routing_change_while_enabled_needs_passing_checks(tmp_path):
    root = dead_idp_root(tmp_path)
    enabled(root)
    r = jcfed(root, "routing", "add", "ops")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "[FAIL] discovery" in r.stdout and "groups" not in conf(root)
    r = jcfed(root, "routing", "add", "ops", "--force")
    assert r.returncode == 0 and "groups = ops" in conf(root)


def test_widening_routing_to_everyone_needs_confirmation(idp_root, entra):
    assert jcfed(idp_root, "routing", "add", "linux-federated").returncode == 0
    enabled(idp_root)
    # No terminal and no --yes: refused, even with "yes" piped in.
    r = jcfed(idp_root, "routing", "remove", "linux-federated", input="yes\n")
    assert r.returncode == 2 and "every mapped user" in r.stderr and "--yes" in r.stderr
    assert "groups = linux-federated" in conf(idp_root)
    r = jcfed(idp_root, "routing", "remove", "linux-federated", "--yes")
    assert r.returncode == 0, r.stdout + r.stderr
    assert jcfed(idp_root, "routing", "list").stdout == ""


def test_widening_routing_asks_on_a_terminal(idp_root, entra):
    pexpect = pytest.importorskip("pexpect")
    assert jcfed(idp_root, "routing", "add", "linux-federated").returncode == 0
    enabled(idp_root)
    child = pexpect.spawn(str(TOOL), ["--root", str(idp_root), "routing", "remove", "linux-federated"],
                          encoding="utf-8", timeout=60, env={k: v for k, v in os.environ.items() if k != "JCFED_ROOT"})
    child.expect("EVERY mapped user")
    child.expect('Type "yes" to continue: ')
    child.sendline("yes")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert jcfed(idp_root, "routing", "list").stdout == ""


def test_unknown_key_is_an_error_for_check_config_and_edits(tmp_path):
    root = make_root(tmp_path)
    add_idp(root)
    p = root / "etc/jcfed/jcfed.conf"
    p.write_text(p.read_text() + "[routing]\ngroup = admins\n")
    r = jcfed(root, "check-config")
    assert r.returncode == 1
    assert "routing.group: unknown key" in r.stdout and "did you mean routing.groups?" in r.stdout
    before = p.read_text()
    r = jcfed(root, "idp", "update", "--name", "X")
    assert r.returncode == 1 and "routing.group: unknown key" in r.stderr
    assert p.read_text() == before
    r = jcfed(root, "idp", "test")
    assert r.returncode == 1 and "[FAIL] configuration:" in r.stdout and "routing.group" in r.stdout
    pam_before = (root / "etc/pam.d/sshd").read_text()
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd")
    assert r.returncode == 1 and "routing.group" in r.stderr
    assert (root / "etc/pam.d/sshd").read_text() == pam_before


def test_the_module_reads_quoted_group_names(pam_env):
    """Through real libpam: `groups = "Linux Admins"` routes bob (a member) and not alice. The
    IdP address refuses connections, so a routed user gets PAM_AUTHINFO_UNAVAIL at once."""
    with open(pam_env.base / "group", "a") as f:
        f.write("Linux Admins:x:4000:bob\n")
    pam_env.write_config(routing={"groups": '"Linux Admins" ops'})
    codes, out, log = pam_env.run("alice", op="auth", args=("debug",))
    assert codes["auth"] == "PAM_IGNORE", out + log
    assert "none of the routed groups (Linux Admins ops)" in log
    codes, out, log = pam_env.run("bob", op="auth")
    assert codes["auth"] == "PAM_AUTHINFO_UNAVAIL", out + log


def test_group_names_with_spaces_are_quoted(tmp_path):
    root = make_root(tmp_path)
    add_idp(root)
    assert jcfed(root, "routing", "add", "Linux Admins").returncode == 0
    assert jcfed(root, "routing", "add", "ops").returncode == 0
    assert 'groups = "Linux Admins" ops' in conf(root)
    assert jcfed(root, "routing", "list").stdout == "Linux Admins\nops\n"
    assert jcfed(root, "check-config").returncode == 0
    assert "groups Linux Admins, ops" in jcfed(root, "status").stdout
    assert jcfed(root, "routing", "remove", "Linux Admins").returncode == 0
    assert "groups = ops" in conf(root)
    for bad in (" padded", 'quo"te', "a,b"):
        assert jcfed(root, "routing", "add", bad).returncode == 1


# --------------------------------------------------------------------------------------------
# 5. day 2: logins, status --json, status after idp delete

NOW = int(time.time())


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime(t))


def trad(t):
    return time.strftime("%b %e %H:%M:%S", time.localtime(t))


def auth_lines(stamp, pid, user, upn=None, result="success", reason="signed-in", service="sshd"):
    lines = []
    if upn:
        lines.append(f"{stamp} host01 {service}[{pid}]: pam_jcfed({service}:auth): signed in as {upn} "
                     f"(tid={TENANT} oid=0a1b)")
    lines.append(f"{stamp} host01 {service}[{pid}]: pam_jcfed({service}:auth): auth done: user={user} "
                 f"result={result} reason={reason}")
    lines.append(f"{stamp} host01 {service}[{pid}]: pam_jcfed({service}:account): account done: user={user} "
                 "result=success reason=ok")
    lines.append(f"{stamp} host01 {service}[{pid}]: pam_unix({service}:session): session opened for user {user}")
    return lines


@pytest.fixture
def logs_root(tmp_path):
    root = make_root(tmp_path)
    add_idp(root)
    log = root / "var/log"
    log.mkdir(parents=True)
    old = NOW - 20 * 86400
    with gzip.open(log / "auth.log.2.gz", "wt") as f:
        f.write("\n".join(auth_lines(iso(old), 11, "carol", "carol@contoso.com")) + "\n")
    (log / "auth.log.1").write_text("\n".join(auth_lines(trad(NOW - 3 * 86400), 22, "bob", result="auth_err",
                                                         reason="declined", service="login")) + "\n")
    (log / "auth.log").write_text("\n".join(auth_lines(iso(NOW - 600), 33, "alice", "alice@contoso.com")) + "\n")
    return root


def test_logins_reads_auth_log_and_its_rotations(logs_root):
    r = jcfed(logs_root, "logins")
    assert r.returncode == 0, r.stderr
    rows = r.stdout.splitlines()
    assert rows[0].split() == ["TIME", "SERVICE", "ACCOUNT", "UPN", "RESULT", "REASON"]
    got = [x.split()[2:] for x in rows[1:]]  # time is two words
    assert got == [["sshd", "carol", "carol@contoso.com", "success", "signed-in"],
                   ["login", "bob", "-", "auth_err", "declined"],
                   ["sshd", "alice", "alice@contoso.com", "success", "signed-in"]], r.stdout
    assert "session opened" not in r.stdout


def test_logins_filters_and_json(logs_root):
    r = jcfed(logs_root, "logins", "--user", "alice", "--json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got == [{"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW - 600)), "service": "sshd",
                    "account": "alice", "upn": "alice@contoso.com", "result": "success", "reason": "signed-in"}]
    r = jcfed(logs_root, "logins", "--since", "7d", "--json")
    assert [x["account"] for x in json.loads(r.stdout)] == ["bob", "alice"]
    r = jcfed(logs_root, "logins", "--since", time.strftime("%Y-%m-%d", time.localtime(NOW - 40 * 86400)), "--json")
    assert [x["account"] for x in json.loads(r.stdout)] == ["carol", "bob", "alice"]
    assert jcfed(logs_root, "logins", "--since", "last tuesday").returncode == 64


def test_logins_reads_a_saved_journal(tmp_path):
    """journalctl -o short-iso output (what the tool reads from journald) given with --file."""
    root = make_root(tmp_path)
    saved = tmp_path / "journal.txt"
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(NOW - 60))
    saved.write_text("\n".join(auth_lines(stamp, 44, "dave", "dave@contoso.com")) + "\n")
    r = jcfed(root, "logins", "--file", saved, "--json")
    assert r.returncode == 0, r.stderr
    assert [(x["account"], x["upn"]) for x in json.loads(r.stdout)] == [("dave", "dave@contoso.com")]


def test_logins_without_any_log_says_so(tmp_path):
    root = make_root(tmp_path)
    r = jcfed(root, "logins")
    assert r.returncode == 1 and "/var/log/auth.log" in r.stderr and "--file" in r.stderr


def test_status_shows_logins_from_rotated_logs(logs_root):
    out = jcfed(logs_root, "status").stdout
    assert "last logins:" in out and "alice@contoso.com" in out and "bob" in out


def test_status_json(logs_root):
    assert jcfed(logs_root, "routing", "add", "Linux Admins").returncode == 0
    r = jcfed(logs_root, "status", "--json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["idp"]["url"] == URL and s["idp"]["client_id"] == CLIENT
    assert s["pam"] == {"enabled": False, "system_wide": False, "services": [], "description": "disabled"}
    assert s["routing"]["groups"] == ["Linux Admins"] and s["routing"]["active"] is False
    assert s["config"]["valid"] is True
    assert [x["account"] for x in s["last_logins"]] == ["carol", "bob", "alice"]


def test_status_after_idp_delete_tells_the_truth(tmp_path):
    root = make_root(tmp_path)
    add_idp(root)
    assert jcfed(root, "routing", "add", "linux-federated").returncode == 0
    enabled(root)
    assert jcfed(root, "idp", "delete", "--yes").returncode == 0
    r = jcfed(root, "status")
    assert r.returncode == 0, r.stdout
    assert "all mapped users" not in r.stdout
    assert "routing:        groups linux-federated (inactive: no identity provider)" in r.stdout
    assert "no identity provider" in r.stdout.splitlines()[1]
    s = json.loads(jcfed(root, "status", "--json").stdout)
    assert s["idp"] is None and s["pam"]["enabled"] is False
    assert s["routing"]["groups"] == ["linux-federated"] and s["routing"]["active"] is False


# --------------------------------------------------------------------------------------------
# 7. deleting walks by descriptor; unsafe cache/state folders are refused


def cache_with_link(root, tmp_path):
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    cache = root / "var/cache/jcfed"
    (cache / "sub").mkdir(parents=True)
    (cache / "sub/file").write_text("x")
    (cache / "entry").write_text("x")
    (cache / "link").symlink_to(outside)
    (cache / "sub/link").symlink_to(outside)
    os.chmod(cache, 0o700)
    return cache, outside


def test_idp_delete_clears_the_cache_without_following_links(tmp_path):
    root = make_root(tmp_path)
    add_idp(root)
    cache, outside = cache_with_link(root, tmp_path)
    r = jcfed(root, "idp", "delete", "--yes")
    assert r.returncode == 0, r.stderr
    assert cache.is_dir() and list(cache.iterdir()) == []
    assert (outside / "keep.txt").read_text() == "keep"


def test_idp_delete_refuses_a_cache_others_can_write(tmp_path):
    root = make_root(tmp_path)
    add_idp(root)
    cache, outside = cache_with_link(root, tmp_path)
    os.chmod(cache, 0o777)
    before = conf(root)
    r = jcfed(root, "idp", "delete", "--yes")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "writable by group or others" in r.stderr and "nothing was changed" in r.stderr
    assert conf(root) == before and (cache / "entry").exists()
    assert (outside / "keep.txt").read_text() == "keep"


def test_idp_delete_refuses_a_state_dir_not_owned_by_root(tmp_path):
    root = make_root(tmp_path)
    add_idp(root)
    state = root / "var/lib/jcfed"
    (state / "pins").mkdir(parents=True)
    os.chown(state, 4242, 4242)
    before = conf(root)
    r = jcfed(root, "idp", "delete", "--yes")
    assert r.returncode == 2 and "owned by uid 4242" in r.stderr
    assert conf(root) == before and (state / "pins").is_dir()


def test_idp_delete_with_a_folder_swapped_for_a_link_during_the_walk(tmp_path):
    """The finding: a subfolder swapped for a symbolic link while the cache is cleared. Walking
    by descriptor, the link is removed as a link and the directory outside is never entered."""
    root = make_root(tmp_path)
    add_idp(root)
    cache, outside = cache_with_link(root, tmp_path)
    for i in range(300):
        d = cache / f"d{i:03}"
        d.mkdir()
        for j in range(5):
            (d / f"f{j}").write_text("x")
    stop = threading.Event()

    def swapper():
        while not stop.is_set():
            for i in range(299, -1, -1):
                d = cache / f"d{i:03}"
                try:
                    shutil.rmtree(d)
                    d.symlink_to(outside)
                except OSError:
                    pass
    t = threading.Thread(target=swapper, daemon=True)
    t.start()
    try:
        r = jcfed(root, "idp", "delete", "--yes")
    finally:
        stop.set()
        t.join(timeout=60)
    assert (outside / "keep.txt").read_text() == "keep", r.stdout + r.stderr


def test_module_refuses_a_cache_dir_others_can_write(idp):
    """Through real libpam: an existing cache_dir others can write is a service error before any
    request (whoever writes it could plant signing keys), not a login without the cache."""
    idp.cache.mkdir()
    os.chmod(idp.cache, 0o777)
    run = interactive_login(idp, "alice", lambda code: idp.emulator.approve("alice@contoso.com", user_code=code))
    assert run.codes["auth"] == "PAM_SERVICE_ERR", run.output + run.log
    assert "idp.cache_dir refused" in run.log and "reason=unsafe-cache-dir" in run.log
    assert "misconfigured" in run.output and not run.user_code
    assert list(idp.cache.iterdir()) == []


def test_module_creates_a_missing_cache_dir(idp):
    idp.emulator.faults(interval=1)
    run = interactive_login(idp, "alice", lambda code: idp.emulator.approve("alice@contoso.com", user_code=code))
    assert run.codes["auth"] == "PAM_SUCCESS", run.output + run.log
    assert oct(idp.cache.stat().st_mode & 0o777) == "0o700" and list(idp.cache.iterdir())


# --------------------------------------------------------------------------------------------
# 8. the small items


def test_client_secret_file_is_read_under_the_root(tmp_path):
    root = make_root(tmp_path)
    host_file = tmp_path / "host-secret.txt"
    host_file.write_text(SECRET + "\n")
    os.chmod(host_file, 0o600)
    args = ["idp", "add", "--type", "azure", "--name", "X", "--url", URL, "--client-id", CLIENT]
    r = jcfed(root, *args, "--client-secret-file", host_file)
    assert r.returncode == 1 and "does not exist" in r.stderr or "No such file" in r.stderr, r.stderr
    r = jcfed(root, *args, "--client-secret-file", secret_file(tmp_path))
    assert r.returncode == 0, r.stderr
    assert (root / "etc/jcfed/client_secret").read_text() == SECRET + "\n"


def test_missing_ca_file_fails_check_config(tmp_path):
    root = make_root(tmp_path)
    add_idp(root)
    p = root / "etc/jcfed/jcfed.conf"
    p.write_text(p.read_text().replace("[idp]\n", "[idp]\nca_file = /etc/jcfed/missing-ca.pem\n", 1))
    r = jcfed(root, "check-config")
    assert r.returncode == 1 and "idp.ca_file: /etc/jcfed/missing-ca.pem does not exist" in r.stdout


def test_secret_with_a_trailing_non_breaking_space(tmp_path):
    root = make_root(tmp_path)
    r = add_idp(root, secret=secret_file(tmp_path, text=SECRET + "\u00a0\n"))
    assert "U+00A0" in r.stderr and SECRET not in r.stderr
    assert (root / "etc/jcfed/client_secret").read_text() == SECRET + "\n"
    r = jcfed(root, "idp", "update", "--client-secret-file",
              secret_file(tmp_path, text="abc\u00a0def\n", name="inner.txt"))
    assert r.returncode == 1 and "non-breaking space (U+00A0)" in r.stderr
    # Written by hand: idp test names the character instead of blaming the IdP.
    (root / "etc/jcfed/client_secret").write_text(SECRET + "\u2003\n")
    r = jcfed(root, "idp", "test")
    assert r.returncode == 1 and "U+2003" in r.stdout and "wrong or expired" not in r.stdout


@pytest.mark.parametrize("pasted", [URL + "/v2.0", URL + "/oauth2/v2.0/authorize",
                                    URL + "/v2.0/.well-known/openid-configuration"])
def test_endpoint_url_suggests_the_authority(tmp_path, pasted):
    root = make_root(tmp_path)
    r = jcfed(root, "idp", "add", "--type", "azure", "--name", "X", "--url", pasted, "--client-id", CLIENT)
    assert r.returncode == 1
    assert f"use --url {URL}" in r.stderr


def test_unknown_type_is_a_usage_error(tmp_path):
    root = make_root(tmp_path)
    r = jcfed(root, "idp", "add", "--type", "entra", "--name", "X", "--url", URL, "--client-id", CLIENT)
    assert r.returncode == 64 and "--type azure" in r.stderr


def test_missing_module_names_the_debian_path(tmp_path):
    root = make_root(tmp_path, module=False)
    add_idp(root)
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd")
    assert r.returncode == 2
    assert "/usr/lib/x86_64-linux-gnu/security" in r.stderr and "..." not in r.stderr


def test_missing_libcurl_is_named(tmp_path):
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare to hide libcurl in a mount namespace")
    lib = pathlib.Path("/usr/lib/x86_64-linux-gnu/libcurl.so.4")
    if not lib.exists():
        pytest.skip("libcurl.so.4 is not where Debian keeps it")
    root = make_root(tmp_path)
    add_idp(root)
    r = subprocess.run(["unshare", "-m", "sh", "-c",
                        f'mount --bind /dev/null {lib} && exec "$0" --root "$1" idp test', str(TOOL), str(root)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "libcurl is not installed" in r.stdout and "check network access" not in r.stdout


def test_service_without_pam_unix_is_a_manual_step(tmp_path):
    root = make_root(tmp_path)
    add_idp(root)
    (root / "etc/pam.d/sssd-only").write_text("auth required pam_sss.so\naccount required pam_sss.so\n")
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sssd-only")
    assert r.returncode == 3 and "pam_jcfed.so" in r.stderr


def pinned_root(tmp_path):
    root = make_root(tmp_path)
    add_idp(root)
    pins = root / "var/lib/jcfed/pins"
    pins.mkdir(parents=True, mode=0o700)
    os.chmod(pins.parent, 0o755)
    for name in ("alice", "bob"):
        p = pins / name
        p.write_text(json.dumps({"account": name, "tid": TENANT, "oid": "0a1b2c3d-0000-4000-8000-00000000a11c",
                                 "issuer": URL + "/v2.0", "pinned_at": NOW}) + "\n")
        os.chmod(p, 0o600)
    return root, pins


def test_pins_reset_without_a_user_resets_all_after_confirmation(tmp_path):
    root, pins = pinned_root(tmp_path)
    r = jcfed(root, "pins", "reset")
    assert r.returncode == 2 and sorted(x.name for x in pins.iterdir()) == ["alice", "bob"]
    r = jcfed(root, "pins", "reset", input="yes\n")
    assert r.returncode == 0, r.stdout + r.stderr
    assert list(pins.iterdir()) == [] and "2 accounts" in r.stdout
    root2, pins2 = pinned_root(tmp_path / "two")
    assert jcfed(root2, "pins", "reset", "--yes").returncode == 0 and list(pins2.iterdir()) == []


def test_delete_answered_yes_names_the_phrase(tmp_path):
    root = make_root(tmp_path)
    add_idp(root)
    r = jcfed(root, "idp", "delete", input="yes\n")
    assert r.returncode == 2 and '"yes, delete"' in r.stderr
    assert "[idp]" in conf(root)


@pytest.mark.parametrize("command", [[], ["idp", "add"]])
def test_help_never_wraps_an_example_line(command):
    r = subprocess.run([str(TOOL), *command, "--help"], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "COLUMNS": "80"})
    lines = r.stdout.splitlines()
    for i, line in enumerate(lines):
        text = line.strip()
        # A URL wrapped onto its own line, or an option separated from its URL, breaks copy-paste.
        assert not text.startswith("https://"), line
        assert not text.endswith("--url"), line
        if line.endswith("\\"):
            # A continued command line: the next line continues it, indented.
            assert lines[i + 1].startswith("    "), (line, lines[i + 1])


def test_make_install_installs_shell_completions(tmp_path):
    dest = tmp_path / "dest"
    r = subprocess.run(["make", "-s", "-C", str(ROOT), "completions"], capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "_jcfed" in (ROOT / "build/completions/_jcfed").read_text()
    assert "complete" in (ROOT / "build/completions/jcfed").read_text()
    r = subprocess.run(["make", "-n", "-C", str(ROOT), "install", f"DESTDIR={dest}"], capture_output=True, text=True,
                       timeout=600)
    assert f"{dest}/usr/share/bash-completion/completions/jcfed" in r.stdout
    assert f"{dest}/usr/share/zsh/vendor-completions/_jcfed" in r.stdout
