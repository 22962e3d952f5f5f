"""A real sshd on 127.0.0.1 with a PAM service using the module, and a real OpenSSH
client driving keyboard-interactive in a pseudo-terminal. pam_wrapper points sshd's PAM at a temp
service dir and nss_wrapper gives it the test users: no system file is touched."""
import os
import socket
import subprocess
import time

import pexpect
import pytest

from conftest import MODULE, NSS_WRAPPER, PAM_WRAPPER, TENANT

PRELOAD = f"{PAM_WRAPPER} {NSS_WRAPPER}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sshd(idp):
    if PAM_WRAPPER is None:
        pytest.fail("libpam_wrapper.so not found (ldconfig -p, /usr/lib/<multiarch>): install libpam-wrapper (`make deps`)")
    base = idp.base
    (base / "passwd").write_text((base / "passwd").read_text()
                                 + "sshd:x:105:65534::/run/sshd:/usr/sbin/nologin\n")
    (base / "group").write_text((base / "group").read_text() + "nogroup:x:65534:\n")
    # Home directories must exist for the session.
    text = (base / "passwd").read_text().replace(":/home/", f":{base}/home/")
    (base / "passwd").write_text(text)
    for user in ("alice", "bob", "dave"):
        (base / "home" / user).mkdir(parents=True, exist_ok=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(base / "hostkey")], check=True)
    os.makedirs("/run/sshd", exist_ok=True)
    port = free_port()
    (base / "sshd_config").write_text(f"""Port {port}
ListenAddress 127.0.0.1
HostKey {base}/hostkey
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
PermitRootLogin no
StrictModes no
LoginGraceTime 120
PidFile {base}/sshd.pid
LogLevel VERBOSE
""")
    (idp.pamd / "sshd").write_text(
        f"auth    required {MODULE} config={idp.conf}\n"
        f"account required {MODULE} config={idp.conf}\n"
        "session required pam_permit.so\n")
    env = idp.env()
    env["LD_PRELOAD"] = PRELOAD
    env["PAM_WRAPPER"] = "1"
    env["PAM_WRAPPER_SERVICE_DIR"] = str(idp.pamd)
    log = open(base / "sshd.log", "w")
    proc = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(base / "sshd_config")],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    idp.sshd_port = port
    yield idp
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


def ssh(port, user, command):
    return pexpect.spawn("ssh", ["-p", str(port), "-o", "StrictHostKeyChecking=no",
                                 "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                                 "-o", "PreferredAuthentications=keyboard-interactive",
                                 "-o", "NumberOfPasswordPrompts=1",
                                 f"{user}@127.0.0.1", command], encoding="utf-8", timeout=60)


def test_code_is_visible_before_any_answer_and_login_succeeds(sshd):
    sshd.emulator.faults(interval=1)
    child = ssh(sshd.sshd_port, "alice", "echo LOGGED-IN-AS-$USER")
    # The URL and code arrive before the client has answered anything.
    child.expect(r"enter the code ([A-Z0-9]+)")
    code = child.match.group(1)
    child.expect("Press Enter")
    sshd.emulator.approve("alice@contoso.com", user_code=code)
    child.sendline("")
    child.expect("LOGGED-IN-AS-alice")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    log = (sshd.base / "sshd.log").read_text()
    assert "Accepted keyboard-interactive/pam for alice" in log


def test_wrong_account_is_refused_over_ssh(sshd):
    sshd.emulator.faults(interval=1)
    child = ssh(sshd.sshd_port, "alice", "true")
    child.expect(r"enter the code ([A-Z0-9]+)")
    code = child.match.group(1)
    child.expect("Press Enter")
    sshd.emulator.approve("bob@contoso.com", user_code=code)
    child.sendline("")
    child.expect("Permission denied")
    child.expect(pexpect.EOF)
