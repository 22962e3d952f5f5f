"""The admin tool `jcfed` against a temporary root (--root), never the real system.

The root starts as a copy of golden/debian12/root (Debian 12's stock PAM files, pam-auth-update's
saved state and profiles) or golden/rhel9/root (authselect-style stacks, no pam-auth-update).
Stacks written by `jcfed enable` are compared with the golden files under golden/*/expected/;
set JCFED_UPDATE_GOLDEN=1 to rewrite them (then review the diff: they are the contract).

The binary is $JCFED_TOOL or build/jcfed, e.g.:
    swift build --scratch-path .build-tool-h --product jcfed
    JCFED_TOOL=.build-tool-h/debug/jcfed python3 -m pytest -q Tests/integration/test_tool.py
"""
import json
import os
import shutil
import stat
import subprocess
import time

import pytest

from conftest import (CLIENT, GOLDEN, OTHER_TENANT, ROOT, SECRET, TENANT, TOOL, URL, add_idp,
                      assert_golden, assert_golden_text, conf, jcfed, make_root, needs_pam_auth_update, secret_file,
                      tree)

pytestmark = pytest.mark.usefixtures("tool_binary")


PAM_FILES = ["etc/pam.d/" + n for n in
             ("common-auth", "common-account", "common-password", "common-session",
              "common-session-noninteractive", "sshd", "login", "su", "sudo")]
SAVED_STATE = ["var/lib/pam/" + n for n in ("auth", "account", "password", "session", "session-noninteractive", "seen")]


# --------------------------------------------------------------------------------------------
# help and version

COMMANDS = [[], ["idp"], ["idp", "add"], ["idp", "show"], ["idp", "update"], ["idp", "test"],
            ["idp", "delete"], ["enable"], ["disable"], ["status"], ["routing"], ["routing", "add"],
            ["routing", "remove"], ["routing", "list"], ["check-config"], ["directory"], ["pins"], ["logins"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "jcfed")
def test_help_of_every_command(command):
    r = jcfed(None, *command, "--help")
    assert r.returncode == 0, r.stderr
    assert "USAGE: jcfed" in r.stdout
    assert "--root" in r.stdout or command in (["directory"], ["pins"])


def test_top_level_help_documents_exit_status():
    out = jcfed(None, "--help").stdout
    assert "EXIT STATUS" in out
    for code in ("0 ", "1 ", "2 ", "3 ", "64 "):
        assert "\n  " + code in out


def test_version():
    r = jcfed(None, "--version")
    assert r.returncode == 0
    assert r.stdout.startswith("jcfed ") and r.stdout.strip() != "jcfed"


def test_usage_error_exit_status():
    assert jcfed(None, "idp", "add", "--bogus").returncode == 64


# --------------------------------------------------------------------------------------------
# idp add / show / update / delete


def test_add_show_update_delete_round_trip(root, tmp_path):
    add_idp(root, secret=secret_file(tmp_path))
    etc = root / "etc/jcfed"
    assert stat.S_IMODE((etc / "jcfed.conf").stat().st_mode) == 0o644
    assert stat.S_IMODE((etc / "client_secret").stat().st_mode) == 0o600
    assert (etc / "client_secret").read_text() == SECRET + "\n"
    assert "client_secret_file = /etc/jcfed/client_secret" in conf(root)  # the target path, not the host's
    assert jcfed(root, "check-config").returncode == 0

    shown = json.loads(jcfed(root, "idp", "show", "--json").stdout)
    assert shown["type"] == "azure" and shown["url"] == URL and shown["tenant"] == TENANT
    assert shown["client_id"] == CLIENT
    assert shown["client_secret"] == {"set": True, "file": "/etc/jcfed/client_secret", "mode": "0600"}
    text = jcfed(root, "idp", "show")
    assert "client secret: set (mode 0600" in text.stdout

    r = jcfed(root, "idp", "update", "--name", "Contoso Entra", "--no-client-secret")
    assert r.returncode == 0, r.stderr
    assert not (etc / "client_secret").exists()
    shown = json.loads(jcfed(root, "idp", "show", "--json").stdout)
    assert shown["name"] == "Contoso Entra" and shown["client_secret"] == {"set": False}
    assert "client_secret" not in conf(root)

    r = jcfed(root, "idp", "update", "--client-secret-stdin", input=SECRET + "\n")
    assert r.returncode == 0, r.stderr
    assert (etc / "client_secret").read_text() == SECRET + "\n"

    r = jcfed(root, "idp", "delete", "--yes")
    assert r.returncode == 0, r.stderr
    assert not (etc / "jcfed.conf").exists() and not (etc / "client_secret").exists()
    assert jcfed(root, "idp", "show").returncode == 1


def test_secret_is_never_printed(root, tmp_path):
    outputs = [add_idp(root, secret=secret_file(tmp_path))]
    for args in (["idp", "show"], ["idp", "show", "--json"], ["status"], ["check-config"],
                 ["idp", "update", "--client-secret-stdin"], ["idp", "delete", "--yes"]):
        outputs.append(jcfed(root, *args, input=SECRET + "\n"))
    for r in outputs:
        assert SECRET not in r.stdout + r.stderr


def test_delete_asks_for_confirmation(root):
    add_idp(root)
    before = conf(root)
    r = jcfed(root, "idp", "delete", input="yes\n")
    assert r.returncode == 2 and "not confirmed" in r.stderr
    assert conf(root) == before
    r = jcfed(root, "idp", "delete", input="")
    assert r.returncode == 2 and conf(root) == before
    r = jcfed(root, "idp", "delete", input="yes, delete\n")
    assert r.returncode == 0, r.stderr
    assert 'Type "yes, delete"' in r.stdout


def test_oidc_provider_keeps_the_issuer_exactly(root):
    r = jcfed(root, "idp", "add", "--type", "oidc", "--name", "Okta", "--url", "https://example.okta.com/",
              "--client-id", "0oa1b2c3d4")
    assert r.returncode == 0, r.stderr
    assert "url = https://example.okta.com/\n" in conf(root)


def test_guid_client_id_is_stored_lowercase(root):
    """Entra's `aud` is the lowercase GUID: an id pasted in uppercase is stored as the token says it."""
    add_idp(root)
    r = jcfed(root, "idp", "update", "--client-id", CLIENT.upper())
    assert r.returncode == 0, r.stderr
    assert f"client_id = {CLIENT.lower()}\n" in conf(root)


def test_azure_url_trailing_slash_is_dropped(root):
    add_idp(root)
    jcfed(root, "idp", "update", "--url", URL + "/")
    assert f"url = {URL}\n" in conf(root)


@pytest.mark.parametrize("url,message", [
    ("http://login.microsoftonline.com/" + TENANT, "--url: must start with https://"),
    ("https://login.microsoftonline.com/common", "'common' is a multi-tenant authority"),
    ("https://login.microsoftonline.com/organizations", "'organizations' is a multi-tenant authority"),
    ("https://login.microsoftonline.com/consumers", "'consumers' is a multi-tenant authority"),
    ("https://login.microsoftonline.com/contoso.com", "is not a directory (tenant) id"),
    ("https://login.microsoftonline.com/" + TENANT + "/v2.0", "nothing after the tenant"),
    ("https://user@login.microsoftonline.com/" + TENANT, "--url:"),
])
def test_add_refuses_bad_urls(root, url, message):
    r = jcfed(root, "idp", "add", "--type", "azure", "--name", "X", "--url", url, "--client-id", CLIENT)
    assert r.returncode == 1
    assert message in r.stderr
    assert not (root / "etc/jcfed/jcfed.conf").exists()


@pytest.mark.parametrize("over,message", [
    ({"--client-id": "not-a-guid"}, "--client-id: an Entra application (client) id is a GUID"),
    ({"--type": "ldap"}, "--type: must be azure or oidc"),
    ({"--name": ""}, "--name:"),
    ({"--name": "a # b"}, "--name: must not contain ' #'"),
])
def test_add_refuses_bad_fields(root, over, message):
    fields = {"--type": "azure", "--name": "X", "--url": URL, "--client-id": CLIENT, **over}
    r = jcfed(root, "idp", "add", *[x for kv in fields.items() for x in kv])
    assert r.returncode == (64 if "--type" in over else 1), r.stdout  # an unknown --type is a usage error
    assert message in r.stderr
    assert not (root / "etc/jcfed/jcfed.conf").exists()


def test_add_refuses_world_readable_secret_file(root, tmp_path):
    r = jcfed(root, "idp", "add", "--type", "azure", "--name", "X", "--url", URL, "--client-id", CLIENT,
              "--client-secret-file", secret_file(tmp_path, mode=0o644))
    assert r.returncode == 2
    assert "readable by everyone" in r.stderr
    assert not (root / "etc/jcfed").exists()


def test_add_refuses_symlinked_secret_file(root, tmp_path):
    secret_file(tmp_path)
    (root / "root/link.txt").symlink_to("secret.txt")
    r = jcfed(root, "idp", "add", "--type", "azure", "--name", "X", "--url", URL, "--client-id", CLIENT,
              "--client-secret-file", "/root/link.txt")
    assert r.returncode == 2 and "symbolic link" in r.stderr


def test_add_refuses_two_secret_sources(root, tmp_path):
    r = jcfed(root, "idp", "add", "--type", "azure", "--name", "X", "--url", URL, "--client-id", CLIENT,
              "--client-secret-file", secret_file(tmp_path), "--client-secret-stdin")
    assert r.returncode == 64


def test_add_refuses_existing_idp_without_force(root):
    add_idp(root)
    before = conf(root)
    other = f"https://login.microsoftonline.com/{OTHER_TENANT}"
    r = jcfed(root, "idp", "add", "--type", "azure", "--name", "Other", "--url", other, "--client-id", CLIENT)
    assert r.returncode == 2
    assert "already configured" in r.stderr and "--force" in r.stderr
    assert conf(root) == before
    r = jcfed(root, "idp", "add", "--type", "azure", "--name", "Other", "--url", other, "--client-id", CLIENT, "--force")
    assert r.returncode == 0, r.stderr
    assert f"url = {other}" in conf(root)


def test_update_validates_like_add(root):
    add_idp(root)
    before = conf(root)
    r = jcfed(root, "idp", "update", "--url", "https://login.microsoftonline.com/common")
    assert r.returncode == 1 and "multi-tenant" in r.stderr
    r = jcfed(root, "idp", "update", "--client-id", "nope")
    assert r.returncode == 1 and "--client-id" in r.stderr
    r = jcfed(root, "idp", "update", "--ca-file", "/etc/ssl/none.pem")
    assert r.returncode == 1 and "--ca-file" in r.stderr
    assert conf(root) == before
    assert jcfed(root, "idp", "update").returncode == 64


def test_update_switching_to_oidc_relaxes_guid_rules(root):
    add_idp(root)
    r = jcfed(root, "idp", "update", "--type", "oidc", "--url", "https://idp.example.com", "--client-id", "app1")
    assert r.returncode == 0, r.stderr


def test_ca_file_is_checked_under_the_root(root):
    add_idp(root)
    ca = root / "etc/jcfed/proxy-ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    r = jcfed(root, "idp", "update", "--ca-file", "/etc/jcfed/proxy-ca.pem")
    assert r.returncode == 0, r.stderr
    assert "ca_file = /etc/jcfed/proxy-ca.pem" in conf(root)
    r = jcfed(root, "idp", "update", "--ca-file", "")
    assert r.returncode == 0 and "ca_file" not in conf(root)


def test_edits_keep_comments_and_order(root):
    """An admin's file (the installed example plus local notes) survives add, update, routing and
    enable line for line: only the keys jcfed sets are added or changed."""
    etc = root / "etc/jcfed"
    etc.mkdir(parents=True)
    original = (ROOT / "pam/jcfed.conf.example").read_text() + \
        "\n# local note: keep\n# owner = ops-team   # who to call\n"
    # (Unknown keys are errors for the tool: test_tool_operations.py.)
    original = original.replace("[routing]\n", "[routing]\n; routing note\n")
    (etc / "jcfed.conf").write_text(original)
    os.chmod(etc / "jcfed.conf", 0o644)
    add_idp(root)
    assert jcfed(root, "idp", "update", "--name", "Renamed").returncode == 0
    assert jcfed(root, "routing", "add", "linux-federated").returncode == 0
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd")
    assert r.returncode == 0, r.stderr
    after = conf(root).splitlines()
    # Every original line is still there, in the same order.
    it = iter(after)
    for line in original.splitlines():
        assert any(line == x for x in it), f"lost or reordered: {line!r}"
    added = [x for x in after if x not in original.splitlines()]
    assert added == ["type = azure", "name = Renamed", f"url = {URL}", f"client_id = {CLIENT}",
                     "groups = linux-federated", "offline = local-password", "services = sshd"]
    # New keys sit right below their commented defaults.
    assert after[after.index("type = azure") - 1] == "#type = azure"
    r = jcfed(root, "check-config")
    assert r.returncode == 0, r.stdout


def test_value_change_keeps_the_line_s_comment_and_spacing(root):
    etc = root / "etc/jcfed"
    etc.mkdir(parents=True)
    (etc / "jcfed.conf").write_text(f"[idp]\n  name   =   Old name   # shown at sign-in\nurl = {URL}\nclient_id = {CLIENT}\n")
    assert jcfed(root, "idp", "update", "--name", "New name").returncode == 0
    assert conf(root).splitlines()[1] == "  name   =   New name   # shown at sign-in"
    assert json.loads(jcfed(root, "idp", "show", "--json").stdout)["name"] == "New name"


def test_crlf_file_stays_crlf(root):
    etc = root / "etc/jcfed"
    etc.mkdir(parents=True)
    (etc / "jcfed.conf").write_bytes(f"# admin's file\r\n[idp]\r\nurl = {URL}\r\nclient_id = {CLIENT}\r\n".encode())
    assert jcfed(root, "idp", "update", "--name", "X").returncode == 0
    data = (etc / "jcfed.conf").read_bytes()
    assert data == f"# admin's file\r\n[idp]\r\nurl = {URL}\r\nclient_id = {CLIENT}\r\nname = X\r\n".encode()


def test_unsafe_existing_config_is_not_edited(root):
    add_idp(root)
    os.chmod(root / "etc/jcfed/jcfed.conf", 0o666)
    r = jcfed(root, "idp", "update", "--name", "X")
    assert r.returncode == 1 and "writable" in r.stderr


def test_check_config_relative_path(root):
    add_idp(root)
    r = subprocess.run([str(TOOL), "--root", str(root), "check-config", "etc/jcfed/jcfed.conf"], cwd=root,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith(str(root) + "/etc/jcfed/jcfed.conf: OK")


def test_symlinked_service_is_refused(root):
    add_idp(root)
    (root / "etc/pam.d/sshd-link").symlink_to("sshd")
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd-link")
    assert r.returncode == 1 and "symbolic link" in r.stderr


def test_check_config(root, tmp_path):
    assert jcfed(root, "check-config").returncode == 1
    add_idp(root)
    r = jcfed(root, "check-config")
    assert r.returncode == 0 and r.stdout.strip().endswith(": OK")
    p = root / "etc/jcfed/jcfed.conf"
    p.write_text(p.read_text() + "[mapping]\nmin_uid = 0\n")
    r = jcfed(root, "check-config")
    assert r.returncode == 1
    assert "jcfed.conf:" in r.stdout and "mapping.min_uid" in r.stdout


# --------------------------------------------------------------------------------------------
# routing


def test_routing_add_remove_list(root):
    add_idp(root)
    assert jcfed(root, "routing", "list").stdout == ""
    assert jcfed(root, "routing", "add", "linux-federated").returncode == 0
    assert jcfed(root, "routing", "add", "admins").returncode == 0
    assert jcfed(root, "routing", "add", "admins").returncode == 0  # already there: no change
    assert jcfed(root, "routing", "list").stdout == "linux-federated\nadmins\n"
    assert "groups = linux-federated admins" in conf(root)
    assert jcfed(root, "routing", "remove", "linux-federated").returncode == 0
    assert jcfed(root, "routing", "list").stdout == "admins\n"
    assert jcfed(root, "routing", "remove", "nope").returncode == 1
    assert jcfed(root, "routing", "add", 'bad"group').returncode == 1
    assert jcfed(root, "check-config").returncode == 0


def test_routing_before_the_idp(root):
    """Routing can be prepared before `idp add`; the file is then valid except for the IdP."""
    assert jcfed(root, "routing", "add", "linux-federated").returncode == 0
    add_idp(root)
    assert "groups = linux-federated" in conf(root)


# --------------------------------------------------------------------------------------------
# enable / disable: per service


def test_enable_services_golden_and_disable_restores(root):
    add_idp(root)
    originals = tree(root, PAM_FILES + SAVED_STATE)
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd,login")
    assert r.returncode == 0, r.stderr
    assert_golden(root, "debian12/expected/services-local-password", ["etc/pam.d/sshd", "etc/pam.d/login"])
    unchanged = [p for p in PAM_FILES + SAVED_STATE if p not in ("etc/pam.d/sshd", "etc/pam.d/login")]
    assert tree(root, unchanged) == {p: originals[p] for p in unchanged}
    assert "offline = local-password" in conf(root) and "services = sshd login" in conf(root)
    assert (root / "var/lib/jcfed/pam.d-backup/sshd").read_text() == originals["etc/pam.d/sshd"]

    r = jcfed(root, "disable", "--yes")
    assert r.returncode == 0, r.stderr
    assert tree(root, PAM_FILES + SAVED_STATE) == originals
    assert not (root / "var/lib/jcfed/pam.d-backup/sshd").exists()
    assert "services" not in conf(root)


def test_enable_services_deny_golden(root):
    add_idp(root)
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd", "--offline", "deny")
    assert r.returncode == 0, r.stderr
    assert_golden(root, "debian12/expected/services-deny", ["etc/pam.d/sshd"])
    sshd = (root / "etc/pam.d/sshd").read_text()
    assert "authinfo_unavail" not in sshd and "service_err" not in sshd
    assert "offline = deny" in conf(root)


def test_reenable_switches_policy_and_services_without_duplicates(root):
    add_idp(root)
    originals = tree(root, PAM_FILES)
    assert jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd,login").returncode == 0
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd", "--offline", "deny")
    assert r.returncode == 0, r.stderr
    assert (root / "etc/pam.d/login").read_text() == originals["etc/pam.d/login"]
    assert_golden(root, "debian12/expected/services-deny", ["etc/pam.d/sshd"])
    assert jcfed(root, "disable", "--yes").returncode == 0
    assert tree(root, PAM_FILES) == originals


def test_disable_keeps_later_admin_edits(root):
    add_idp(root)
    original = (root / "etc/pam.d/sshd").read_text()
    assert jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd").returncode == 0
    p = root / "etc/pam.d/sshd"
    p.write_text(p.read_text() + "# admin edit after enable\n")
    r = jcfed(root, "disable", "--yes")
    assert r.returncode == 0
    assert p.read_text() == original + "# admin edit after enable\n"
    assert "changed since" in r.stderr
    assert (root / "var/lib/jcfed/pam.d-backup/sshd").read_text() == original


def test_enable_refuses_unknown_or_managed_services(root):
    add_idp(root)
    before = tree(root, PAM_FILES)
    for services, message in (("sshd,nosuch", "does not exist"), ("../../etc/passwd", "not a PAM service name"),
                              ("common-auth", "managed by pam-auth-update")):
        r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", services)
        assert r.returncode == 1 and message in r.stderr, r.stderr
    assert tree(root, PAM_FILES) == before  # all-or-nothing: sshd was not touched either


def test_enable_refuses_a_stack_that_would_lock_out_root(root):
    """common-auth without pam_unix: nothing after pam_jcfed would let root in with a password."""
    add_idp(root)
    ca = root / "etc/pam.d/common-auth"
    ca.write_text(ca.read_text().replace("pam_unix.so nullok", "pam_permit.so"))
    before = tree(root, PAM_FILES)
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd")
    assert r.returncode == 2
    assert "root could not log in with a local password" in r.stderr
    assert tree(root, PAM_FILES) == before


def test_enable_refuses_service_without_password_check(root):
    add_idp(root)
    (root / "etc/pam.d/custom").write_text("auth required pam_permit.so\naccount required pam_permit.so\n")
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "custom")
    assert r.returncode == 3  # a manual step: the lines to add by hand are printed
    assert "pam_jcfed.so" in r.stderr


def test_enable_needs_confirmation(root):
    add_idp(root)
    before = tree(root, PAM_FILES)
    r = jcfed(root, "enable", "--no-idp-check", "--services", "sshd", input="")
    assert r.returncode == 2 and "not confirmed" in r.stderr
    r = jcfed(root, "enable", "--no-idp-check", "--services", "sshd", input="no\n")
    assert r.returncode == 2
    assert "I understand the impacts" in r.stdout and "never falls back to the password" in r.stdout
    assert tree(root, PAM_FILES) == before
    r = jcfed(root, "enable", "--no-idp-check", "--services", "sshd", input="yes\n")
    assert r.returncode == 0, r.stderr


def test_enable_refuses_without_installed_module(tmp_path):
    root = make_root(tmp_path, module=False)
    add_idp(root)
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd")
    assert r.returncode == 2 and "not installed" in r.stderr


def test_enable_refuses_a_module_without_its_core(tmp_path):
    """pam_jcfed.so alone (an incomplete copy): every federated login would fail to load the core."""
    root = make_root(tmp_path)
    (root / "usr/lib/x86_64-linux-gnu/security/pam_jcfed_core.so").unlink()
    add_idp(root)
    before = tree(root, PAM_FILES)
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd")
    assert r.returncode == 2 and "its core" in r.stderr and "pam_jcfed_core.so, is missing" in r.stderr, r.stderr
    assert tree(root, PAM_FILES) == before


def test_enable_refuses_without_valid_config(root):
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd")
    assert r.returncode == 1 and "idp add" in r.stderr


def test_enable_refuses_when_idp_checks_fail(root):
    """Without --no-idp-check the checks of `idp test` run first; an unreachable IdP stops enable."""
    r = jcfed(root, "idp", "add", "--type", "azure", "--name", "X", "--url", f"https://127.0.0.1:9/{TENANT}",
              "--client-id", CLIENT)
    assert r.returncode == 0
    before = tree(root, PAM_FILES)
    r = jcfed(root, "enable", "--yes", "--services", "sshd")
    assert r.returncode == 2
    assert "[FAIL] discovery" in r.stdout and "->" in r.stdout
    assert tree(root, PAM_FILES) == before


def test_rhel_services_golden(rhel_root):
    add_idp(rhel_root)
    original = (rhel_root / "etc/pam.d/sshd").read_text()
    r = jcfed(rhel_root, "enable", "--yes", "--no-idp-check", "--services", "sshd")
    assert r.returncode == 0, r.stderr
    assert_golden(rhel_root, "rhel9/expected/services-local-password", ["etc/pam.d/sshd"])
    assert jcfed(rhel_root, "disable", "--yes").returncode == 0
    assert (rhel_root / "etc/pam.d/sshd").read_text() == original


def test_without_pam_auth_update_the_lines_are_printed(rhel_root):
    add_idp(rhel_root)
    before = tree(rhel_root, ["etc/pam.d/sshd", "etc/pam.d/password-auth"])
    r = jcfed(rhel_root, "enable", "--yes", "--no-idp-check")
    assert r.returncode == 3
    assert_golden_text(r.stdout, "rhel9/expected/manual-local-password.txt")
    r = jcfed(rhel_root, "enable", "--yes", "--no-idp-check", "--offline", "deny")
    assert r.returncode == 3
    assert_golden_text(r.stdout, "rhel9/expected/manual-deny.txt")
    assert tree(rhel_root, ["etc/pam.d/sshd", "etc/pam.d/password-auth"]) == before
    assert "[pam]" not in conf(rhel_root)


def test_config_override_goes_into_the_pam_line(root):
    add_idp(root)
    moved = root / "etc/jcfed/alt.conf"
    shutil.copy(root / "etc/jcfed/jcfed.conf", moved)
    r = jcfed(root, "--config", moved, "enable", "--yes", "--no-idp-check", "--services", "sshd")
    assert r.returncode == 0, r.stderr
    assert "pam_jcfed.so config=/etc/jcfed/alt.conf" in (root / "etc/pam.d/sshd").read_text()


# --------------------------------------------------------------------------------------------
# enable / disable: system-wide through pam-auth-update


@needs_pam_auth_update
@pytest.mark.parametrize("policy", ["local-password", "deny"])
def test_enable_system_wide_golden(root, policy):
    add_idp(root)
    originals = tree(root, PAM_FILES + SAVED_STATE)
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--offline", policy)
    assert r.returncode == 0, r.stdout + r.stderr
    changed = ["etc/pam.d/common-auth", "etc/pam.d/common-account", "usr/share/pam-configs/jcfed",
               "var/lib/pam/auth", "var/lib/pam/account", "var/lib/pam/seen"]
    assert_golden(root, f"debian12/expected/system-{policy}", changed)
    unchanged = [p for p in PAM_FILES + SAVED_STATE if p not in changed]
    assert tree(root, unchanged) == {p: originals[p] for p in unchanged}
    assert f"offline = {policy}" in conf(root)
    status = jcfed(root, "status").stdout
    assert "enabled system-wide" in status

    r = jcfed(root, "disable", "--yes")
    assert r.returncode == 0, r.stdout + r.stderr
    restored = {p: originals[p] for p in PAM_FILES + SAVED_STATE if p != "var/lib/pam/seen"}
    assert tree(root, list(restored)) == restored
    # pam-auth-update remembers it has seen the profile, so it is never switched on by itself.
    assert "jcfed" in (root / "var/lib/pam/seen").read_text()
    assert "disabled" in jcfed(root, "status").stdout


@needs_pam_auth_update
def test_reenable_system_wide_changes_the_policy(root):
    add_idp(root)
    assert jcfed(root, "enable", "--yes", "--no-idp-check").returncode == 0
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--offline", "deny")
    assert r.returncode == 0, r.stdout + r.stderr
    assert_golden(root, "debian12/expected/system-deny", ["etc/pam.d/common-auth", "etc/pam.d/common-account",
                                                          "usr/share/pam-configs/jcfed"])


@needs_pam_auth_update
def test_switching_between_system_wide_and_services(root):
    add_idp(root)
    originals = tree(root, PAM_FILES)
    assert jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd").returncode == 0
    r = jcfed(root, "enable", "--yes", "--no-idp-check")
    assert r.returncode == 0, r.stderr
    assert (root / "etc/pam.d/sshd").read_text() == originals["etc/pam.d/sshd"]  # no double prompt
    assert "pam_jcfed.so" in (root / "etc/pam.d/common-auth").read_text()
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd")
    assert r.returncode == 0, r.stderr
    assert (root / "etc/pam.d/common-auth").read_text() == originals["etc/pam.d/common-auth"]
    assert jcfed(root, "disable", "--yes").returncode == 0
    assert tree(root, PAM_FILES) == originals


@needs_pam_auth_update
def test_delete_disables_and_restores_the_original_stack(root, tmp_path):
    add_idp(root, secret=secret_file(tmp_path))
    originals = tree(root, PAM_FILES)
    assert jcfed(root, "routing", "add", "linux-federated").returncode == 0
    assert jcfed(root, "enable", "--yes", "--no-idp-check").returncode == 0
    cache = root / "var/cache/jcfed"
    cache.mkdir(parents=True)
    (cache / "discovery.json").write_text("{}")
    pins = root / "var/lib/jcfed/pins"
    pins.mkdir(parents=True)
    (pins / "alice").write_text("{}")
    (root / "var/lib/jcfed/directory.json").write_text('{"users": []}')

    r = jcfed(root, "idp", "delete", input="yes, delete\n")
    assert r.returncode == 0, r.stderr
    assert "disabled first" in r.stdout
    assert tree(root, PAM_FILES) == originals
    assert not (root / "etc/jcfed/client_secret").exists()
    assert list(cache.iterdir()) == [] and not pins.exists()
    assert (root / "var/lib/jcfed/directory.json").exists()  # JumpCloud data is not the IdP's
    remaining = conf(root)
    assert "[idp]" not in remaining and "[pam]" not in remaining
    assert "groups = linux-federated" in remaining


def test_delete_restores_per_service_stacks(root):
    add_idp(root)
    originals = tree(root, PAM_FILES)
    assert jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd,login,sudo").returncode == 0
    assert jcfed(root, "idp", "delete", "--yes").returncode == 0
    assert tree(root, PAM_FILES) == originals
    assert not (root / "etc/jcfed/jcfed.conf").exists()


# --------------------------------------------------------------------------------------------
# status and --root semantics


def test_status_one_screen(root):
    r = jcfed(root, "status")
    assert r.returncode == 0
    assert "absent: no identity provider" in r.stdout
    add_idp(root)
    jcfed(root, "routing", "add", "linux-federated")
    jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "sshd", "--offline", "deny")
    state = root / "var/lib/jcfed"
    now = int(time.time())

    def user(uid, name):
        return {"_id": uid, "username": name, "email": f"{name}@contoso.com", "activated": True, "suspended": False,
                "account_locked": False, "state": "ACTIVATED", "unix_uid": 5001, "jcfed_groups": []}
    (state / "directory.json").write_text(json.dumps({
        "totalCount": 2, "results": [user("u1", "alice"), user("u2", "bob")],
        "jcfed": {"version": 1, "source": "api", "synced_at": now, "bound_user_ids": ["u1"], "bindings_synced_at": now}}))
    (state / "pins").mkdir(mode=0o700)
    pin = state / "pins" / "alice"
    pin.write_text(json.dumps({"account": "alice", "tid": TENANT, "oid": "0a1b2c3d-0000-4000-8000-00000000a11c",
                               "issuer": URL + "/v2.0", "pinned_at": now}) + "\n")
    os.chmod(pin, 0o600)
    log = root / "var/log/auth.log"
    log.parent.mkdir(parents=True)
    log.write_text("Jan 1 sshd[1]: pam_jcfed(sshd:auth): done: user=alice result=success reason=ok\n"
                   "Jan 1 sshd[2]: pam_unix(sshd:session): session opened\n")
    out = jcfed(root, "status").stdout
    for expected in ("IdP:            Entra OIDC, azure, " + URL, "PAM:            enabled for sshd",
                     "offline:        deny", "routing:        groups linux-federated",
                     "directory:      /var/lib/jcfed/directory.json: 2 users, data ",
                     "binding check:  on (1 users bound", "pins:           1 accounts pinned", "success ok"):
        assert expected in out, out
    assert "session opened" not in out


@pytest.mark.skipif(os.geteuid() == 0, reason="as root $JCFED_ROOT is ignored (test_tool_caller_environment.py "
                    "covers both cases); running this as root would edit this machine's /etc")
def test_root_from_environment(root):
    r = subprocess.run([str(TOOL), "idp", "add", "--type", "azure", "--name", "X", "--url", URL,
                        "--client-id", CLIENT], capture_output=True, text=True,
                       env=dict(os.environ, JCFED_ROOT=str(root)))
    assert r.returncode == 0, r.stderr
    assert (root / "etc/jcfed/jcfed.conf").exists()


def test_root_must_be_a_directory(tmp_path):
    r = jcfed(tmp_path / "nope", "status")
    assert r.returncode == 64 and "not a directory" in r.stderr


# --------------------------------------------------------------------------------------------
# shipped files


def test_shipped_profile_is_what_enable_writes():
    """pam/pam-configs/jcfed (installed by `make install`, not enabled) is enable's local-password profile."""
    shipped = (ROOT / "pam/pam-configs/jcfed").read_text()
    assert shipped == (GOLDEN / "debian12/expected/system-local-password/usr/share/pam-configs/jcfed").read_text()
    assert "Default: no" in shipped  # pam-auth-update never turns it on by itself


@pytest.mark.parametrize("example,golden", [
    ("sshd", "debian12/expected/services-local-password/etc/pam.d/sshd"),
    ("login", "debian12/expected/services-local-password/etc/pam.d/login"),
    ("common-auth", "debian12/expected/system-local-password/etc/pam.d/common-auth"),
    ("sshd.rhel9", "rhel9/expected/services-local-password/etc/pam.d/sshd"),
])
def test_pam_examples_are_the_golden_stacks(example, golden):
    text = (ROOT / "pam/pam.d" / example).read_text()
    body = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("# jcfed example"))
    assert body == (GOLDEN / golden).read_text()


def test_man_page_documents_every_command_and_exit_status():
    page = (ROOT / "man/jcfed.8").read_text()
    for heading in (".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH COMMANDS", ".SH OPTIONS",
                    ".SH EXIT STATUS", ".SH EXAMPLES", ".SH FILES", ".SH SEE ALSO"):
        assert heading in page
    for command in ("idp add", "idp show", "idp update", "idp test", "idp delete", "enable", "disable",
                    "status", "logins", "routing add|remove|list", "check-config"):
        assert f'.SS "{command}"' in page, command
    for line in ("auth    [success=done authinfo_unavail=ignore ignore=ignore user_unknown=ignore service_err=ignore "
                 "module_unknown=ignore default=die] pam_jcfed.so",
                 "account [success=ok ignore=ignore user_unknown=ignore service_err=ignore module_unknown=ignore "
                 "default=bad] pam_jcfed.so"):
        assert line in page
