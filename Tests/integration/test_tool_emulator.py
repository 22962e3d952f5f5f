"""`jcfed idp test` and `jcfed enable` against the Entra emulator (build/jcfed-entra-emulator), and
`jcfed idp test --user` as a full device-code sign-in in a pseudo-terminal (the module's own
DeviceLogin through the core's InteractiveSignIn and the tool's TerminalPrompter).

Skipped when the emulator (or its helper emulator_proc.py) is not built yet; `make test` builds it.
"""
import os
import pty
import re
import select
import shutil
import subprocess
import time

import pytest

from conftest import SECRET, TOOL, jcfed, make_root, require_nss_wrapper, secret_file

import emulator_proc  # noqa: E402

TENANT = emulator_proc.TENANT
PUBLIC = emulator_proc.PUBLIC_CLIENT
CONFIDENTIAL = emulator_proc.CONFIDENTIAL_CLIENT
CONFIDENTIAL_SECRET = emulator_proc.CONFIDENTIAL_SECRET

pytestmark = pytest.mark.skipif(not os.access(emulator_proc.EMULATOR_BIN, os.X_OK),
                                reason="build/jcfed-entra-emulator is missing (make emulator)")


@pytest.fixture(scope="module")
def emu():
    with emulator_proc.Emulator() as e:
        yield e


@pytest.fixture
def root(tmp_path, emu):
    emu.control("POST", "/_control/reset", {})
    root = make_root(tmp_path)
    ca = root / "etc/jcfed/emulator-ca.pem"
    ca.parent.mkdir(parents=True)
    shutil.copy(emu.ca_path, ca)
    return root


def add(root, emu, client, *extra):
    r = jcfed(root, "idp", "add", "--type", "azure", "--name", "Emulated Entra", "--url", emu.authority(TENANT),
              "--client-id", client, "--ca-file", "/etc/jcfed/emulator-ca.pem", *extra)
    assert r.returncode == 0, r.stderr


def checks(r):
    return [x for x in r.stdout.splitlines() if x.startswith("[")]


def test_public_app(root, emu):
    add(root, emu, PUBLIC)
    r = jcfed(root, "idp", "test")
    assert r.returncode == 0, r.stdout + r.stderr
    assert all(x.startswith("[ OK ]") for x in checks(r)), r.stdout
    assert checks(r)[-1] == "[ OK ] device code flow allowed (public client, no secret needed)"


def test_confidential_app_needs_its_secret(root, emu, tmp_path):
    add(root, emu, CONFIDENTIAL)
    r = jcfed(root, "idp", "test")
    assert r.returncode == 1
    assert "AADSTS7000218" in checks(r)[-1] and "--client-secret-file" in checks(r)[-1]
    secret = secret_file(tmp_path, text=CONFIDENTIAL_SECRET + "\n")
    assert jcfed(root, "idp", "update", "--client-secret-file", secret).returncode == 0
    r = jcfed(root, "idp", "test")
    assert r.returncode == 0, r.stdout
    assert checks(r)[-1] == "[ OK ] device code flow allowed (confidential client, secret accepted)"
    assert CONFIDENTIAL_SECRET not in r.stdout + r.stderr
    assert all(CONFIDENTIAL_SECRET not in str(q) for q in emu.requests())


def test_public_app_refuses_a_secret(root, emu, tmp_path):
    add(root, emu, PUBLIC, "--client-secret-file", secret_file(tmp_path))
    r = jcfed(root, "idp", "test")
    assert r.returncode == 1
    assert "AADSTS700025" in checks(r)[-1] and "--no-client-secret" in checks(r)[-1]


def test_enable_against_the_emulator(root, emu):
    add(root, emu, PUBLIC)
    r = jcfed(root, "enable", "--yes", "--services", "sshd")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[ OK ] device code flow allowed" in r.stdout


def test_emulator_down_refuses_enable(root, emu, tmp_path):
    add(root, emu, PUBLIC)
    url = emu.authority(TENANT).replace(f":{emu.port}/", ":9/")
    assert jcfed(root, "idp", "update", "--url", url).returncode == 0
    r = jcfed(root, "enable", "--yes", "--services", "sshd")
    assert r.returncode == 2 and "[FAIL] discovery" in r.stdout


def run_in_pty(args, env, on_output, timeout=120):
    """Runs the tool on a pseudo-terminal; on_output(text_so_far, write) may type into it."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(str(TOOL), [str(TOOL)] + args, env)
    out = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
                on_output(out.decode(errors="replace"), lambda s: os.write(fd, s.encode()))
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


def test_idp_test_user_signs_in_on_a_terminal(root, emu, tmp_path):
    """The full device-code sign-in of `idp test --user` in a pty, approved at the emulator."""
    add(root, emu, PUBLIC)
    emu.faults(interval=1)
    passwd = tmp_path / "passwd"
    group = tmp_path / "group"
    passwd.write_text("root:x:0:0::/root:/bin/sh\nalice:x:1001:1001::/home/alice:/bin/sh\n")
    group.write_text("root:x:0:\nalice:x:1001:\n")
    env = dict(os.environ, LD_PRELOAD=require_nss_wrapper(),
               NSS_WRAPPER_PASSWD=str(passwd), NSS_WRAPPER_GROUP=str(group), TERM="xterm")
    state = {"approved": False, "enters": 0}

    def on_output(text, write):
        m = re.search(r"enter the code ([A-Z0-9]+)", text)
        if m and not state["approved"]:
            emu.approve("alice@contoso.com", user_code=m.group(1))
            state["approved"] = True
        prompts = text.count("Press Enter")
        while state["approved"] and state["enters"] < prompts:
            write("\n")
            state["enters"] += 1

    code, out = run_in_pty(["--root", str(root), "idp", "test", "--user", "alice@contoso.com"], env, on_output)
    assert code == 0, out
    assert "upn: alice@contoso.com" in out and "tid: " + TENANT in out
    assert "[ OK ] signed in as alice@contoso.com" in out
    assert "[ OK ] maps to local account alice (uid 1001)" in out
    assert "\u2588" in out  # the QR code, drawn because this is a terminal
    assert (root / "var/cache/jcfed").is_dir()  # the root's cache, not this host's


def test_idp_test_user_declined(root, emu, tmp_path):
    add(root, emu, PUBLIC)
    emu.faults(interval=1)
    declined = {"done": False}

    def on_output(text, write):
        m = re.search(r"enter the code ([A-Z0-9]+)", text)
        if m and not declined["done"]:
            emu.control("POST", "/_control/decline", {"user_code": m.group(1)})
            declined["done"] = True
            write("\n")

    code, out = run_in_pty(["--root", str(root), "idp", "test", "--user", "alice@contoso.com"],
                           dict(os.environ, TERM="xterm"), on_output)
    assert code == 1, out
    assert "sign-in failed" in out and "[ OK ] signed in" not in out
