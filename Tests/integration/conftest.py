"""The integration test kit: every helper more than one test module uses lives here (test modules
import from conftest, emulator_proc, jumpcloud_emulator and system_trust, never from each other).

- real libpam (through build/pamrun), nss_wrapper users, safe config files (`pam_env`);
- the Entra emulator (emulator_proc.Emulator: `emulator`, `idp`, `interactive_login`);
- the admin tool on a --root copy of golden/ (`jcfed`, `make_root`, `root`, `add_idp`, goldens);
- JumpCloud directory worlds (`jc`, `world`, `World`);
- valgrind memcheck (`VALGRIND`, `check_clean`).

Everything runs on this machine: no system file is touched, services listen on 127.0.0.1 only.
"""
import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import textwrap

import pytest

# One tenant and app registration for every test: the emulator fixture's (modules import them from here).
from emulator_proc import CONFIDENTIAL_CLIENT, CONFIDENTIAL_SECRET, OTHER_TENANT, PUBLIC_CLIENT, TENANT  # noqa: F401

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
MODULE = BUILD / "pam_jcfed.so"
# The Swift core beside it, which the front (MODULE) loads when a stage needs it.
CORE = BUILD / "pam_jcfed_core.so"
PAMRUN = BUILD / "pamrun"
TOOL = pathlib.Path(os.environ.get("JCFED_TOOL", BUILD / "jcfed"))
EMULATOR = BUILD / "jcfed-entra-emulator"


def _multiarch():
    for cmd in (["gcc", "-print-multiarch"], ["dpkg-architecture", "-qDEB_HOST_MULTIARCH"]):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
        if out:
            return out
    return None


def find_library(name):
    """The path of a shared library such as libnss_wrapper.so, found the way the system finds it:
    ldconfig's cache, then the multiarch and plain library folders. None when it is not installed."""
    try:
        cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        cache = ""
    for line in cache.splitlines():
        m = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if m and m.group(1) == name and os.path.exists(m.group(3)):
            return m.group(3)
    arch = _multiarch()
    dirs = ([f"/usr/lib/{arch}", f"/lib/{arch}"] if arch else []) + ["/usr/lib64", "/usr/lib", "/lib"]
    for d in dirs:
        path = os.path.join(d, name)
        if os.path.exists(path):
            return path
    return None


NSS_WRAPPER = find_library("libnss_wrapper.so")
PAM_WRAPPER = find_library("libpam_wrapper.so")
NO_NSS_WRAPPER = ("libnss_wrapper.so not found (ldconfig -p, /usr/lib/<multiarch>): "
                  "install the Debian package libnss-wrapper (`make deps`)")


def require_nss_wrapper():
    """Fails the test (not a skip: `make test` installs it) when nss_wrapper is missing."""
    if NSS_WRAPPER is None:
        pytest.fail(NO_NSS_WRAPPER)
    return NSS_WRAPPER

# Local accounts the tests log in as (nss_wrapper, never /etc/passwd).
USERS = {
    "root": 0, "daemon": 1, "sysuser": 999,
    "alice": 1001, "bob": 1002, "carol": 1003, "dave": 1004, "erin": 1005,
}
GROUPS = {"federated": (2001, ["alice", "bob", "carol"]), "staff": (2002, ["dave"])}


def pam_code_map(output):
    """{'auth': 'PAM_SUCCESS', ...} from pamrun's RESULT lines (first occurrence per op)."""
    codes = {}
    for line in output.splitlines():
        if line.startswith("RESULT "):
            _, op, code = line.split(" ", 2)
            codes.setdefault(op, code)
    return codes


class PamEnv:
    """A temp world: pam.d, jcfed.conf, state and cache dirs, nss_wrapper files."""

    def __init__(self, base: pathlib.Path):
        self.base = base
        self.pamd = base / "pam.d"
        self.pamd.mkdir()
        (self.pamd / "other").write_text("auth required pam_deny.so\naccount required pam_deny.so\n")
        self.etc = base / "etc"
        self.etc.mkdir(mode=0o755)
        self.state = base / "state"
        self.cache = base / "cache"
        self.conf = self.etc / "jcfed.conf"
        self.syslog = base / "syslog.txt"
        passwd = "".join(f"{u}:x:{uid}:{uid if uid else 0}:{u}:/home/{u}:/bin/sh\n" for u, uid in USERS.items())
        group = "root:x:0:\n" + "".join(f"{u}:x:{uid}:\n" for u, uid in USERS.items() if uid) + \
            "".join(f"{g}:x:{gid}:{','.join(m)}\n" for g, (gid, m) in GROUPS.items())
        (base / "passwd").write_text(passwd)
        (base / "group").write_text(group)
        os.chmod(base, 0o755)

    def add_users(self, names, first_uid=3000, groups=()):
        """Adds local accounts (nss_wrapper) for load and concurrency tests."""
        with open(self.base / "passwd", "a") as f:
            for i, name in enumerate(names):
                f.write(f"{name}:x:{first_uid + i}:{first_uid + i}:{name}:/home/{name}:/bin/sh\n")
        with open(self.base / "group", "a") as f:
            for i, name in enumerate(names):
                f.write(f"{name}:x:{first_uid + i}:\n")

    def env(self):
        e = dict(os.environ)
        e["LD_PRELOAD"] = NSS_WRAPPER or ""
        e["NSS_WRAPPER_PASSWD"] = str(self.base / "passwd")
        e["NSS_WRAPPER_GROUP"] = str(self.base / "group")
        e["PAMRUN_SYSLOG"] = str(self.syslog)
        return e

    def write_config(self, idp=None, mapping=None, routing=None, extra="", mode=0o644):
        """Writes jcfed.conf with safe defaults for tests; dict values override keys."""
        sections = {
            "idp": {"type": "azure", "name": "Test Entra",
                    "url": f"https://127.0.0.1:9/{TENANT}", "client_id": PUBLIC_CLIENT,
                    "http_timeout": "3", "login_timeout": "30", "cache_dir": str(self.cache), "qr": "off"},
            "mapping": {"state_dir": str(self.state), "directory": str(self.state / "directory.json"),
                        "fallback": "localpart"},
            "routing": {},
        }
        for name, over in (("idp", idp), ("mapping", mapping), ("routing", routing)):
            for k, v in (over or {}).items():
                if v is None:
                    sections[name].pop(k, None)
                else:
                    sections[name][k] = v
        text = "# written by the test\n"
        for name, kv in sections.items():
            text += f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in kv.items())
        text += extra
        self.conf.write_text(text)
        os.chmod(self.conf, mode)
        return self.conf

    def service(self, name="jcfed-test", args=(), stack=None):
        """A pam.d service using the real module by absolute path."""
        a = " ".join([f"config={self.conf}", *args])
        body = stack or textwrap.dedent(f"""\
            auth     required {MODULE} {a}
            account  required {MODULE} {a}
            password required {MODULE} {a}
            session  required {MODULE} {a}
            """)
        (self.pamd / name).write_text(body.replace("{MODULE}", str(MODULE)).replace("{ARGS}", a))
        return name

    def run(self, user, op="auth", answers=(), conv=None, args=(), direct=True, cycles=1,
            stdin=None, timeout=120, extra=(), valgrind=None, module=MODULE):
        """Runs pamrun; returns (codes, stdout, syslog text). `valgrind` is any command prefix
        (valgrind, strace_opens); `module` what direct calls load (a copy of the front, say)."""
        svc = self.service()
        cmd = [str(PAMRUN), "-d", str(self.pamd), "-s", svc, "-u", user, "-o", op, "-n", str(cycles)]
        if direct:
            cmd += ["-m", str(module), "-A", f"config={self.conf}"] + [x for a in args for x in ("-A", a)]
        for ans in answers:
            cmd += ["-a", ans]
        if conv:
            cmd += ["-c", conv]
        cmd += list(extra)
        if valgrind:
            cmd = valgrind + cmd
        if self.syslog.exists():
            self.syslog.unlink()
        p = subprocess.run(cmd, env=self.env(), input=stdin, capture_output=True, text=True, timeout=timeout)
        log = self.syslog.read_text() if self.syslog.exists() else ""
        return pam_code_map(p.stdout), p.stdout + p.stderr, log

    def opened_files(self, service, user, op, trace, env=None, cycles=1):
        """pamrun through `service` (a file in pamd) under strace: (stdout + stderr, the path
        of every open and openat, in order). Skips the test when strace is missing."""
        p = subprocess.run(strace_opens(trace) + [str(PAMRUN), "-d", str(self.pamd), "-s", service, "-u", user,
                                                  "-o", op, "-n", str(cycles)],
                           env=env or self.env(), capture_output=True, text=True, timeout=120)
        return p.stdout + p.stderr, opened_paths(trace)


def strace_opens(trace):
    """The command prefix that runs a program under strace, writing every open and openat of
    it and its children to `trace` (read back with opened_paths). Skips the test when strace is
    missing."""
    if shutil.which("strace") is None:
        pytest.skip("strace is missing")
    return ["strace", "-f", "-qq", "-e", "trace=open,openat", "-o", str(trace)]


def opened_paths(trace):
    """The path of every open and openat in a strace_opens trace, in order."""
    return [line.split('"')[1] for line in trace.read_text().splitlines() if '"' in line]


@pytest.fixture
def pam_env():
    if not MODULE.exists() or not PAMRUN.exists():
        pytest.fail("build/pam_jcfed.so and build/pamrun are missing: run `make` first")
    require_nss_wrapper()
    base = pathlib.Path(tempfile.mkdtemp(prefix="jcfed-pam-"))
    try:
        yield PamEnv(base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# The emulator and interactive logins


@pytest.fixture(scope="module")
def emulator():
    """One Entra emulator per test module (reset before each use by `idp`)."""
    from emulator_proc import Emulator, default_fixture
    if not EMULATOR.exists():
        pytest.fail("build/jcfed-entra-emulator is missing: run `make emulator` first")
    with Emulator(default_fixture()) as emu:
        yield emu


@pytest.fixture
def idp(emulator, pam_env):
    """pam_env configured against a freshly reset emulator."""
    emulator.control("POST", "/_control/reset", {})
    pam_env.write_config(idp={"url": emulator.authority(TENANT), "ca_file": str(emulator.ca_path)})
    pam_env.emulator = emulator
    return pam_env


class LoginRun:
    def __init__(self, codes, output, log, user_code, seconds, prompts, typed):
        self.codes = codes
        self.typed = typed
        self.output = output
        self.log = log
        self.user_code = user_code
        self.seconds = seconds
        self.prompts = prompts


def interactive_login(env, user, on_code=None, op="auth+acct", args=(), max_enters=40,
                      enter_delay=0.0, direct=True, timeout=180, extra_env=None, valgrind=None,
                      answer=lambda n: ""):
    """Runs pamrun interactively: when the first prompt appears, calls on_code(user_code)
    (e.g. approve it at the emulator), then answers prompt n (1, 2, ...) with answer(n) and
    Enter; stdout and stderr are one stream (run.output). What was typed is run.typed."""
    import queue
    import re as _re
    import threading
    import time
    svc = env.service()
    cmd = [str(PAMRUN), "-d", str(env.pamd), "-s", svc, "-u", user, "-o", op, "-i"]
    if direct:
        cmd += ["-m", str(MODULE), "-A", f"config={env.conf}"] + [x for a in args for x in ("-A", a)]
    if valgrind:
        cmd = valgrind + cmd
    if env.syslog.exists():
        env.syslog.unlink()
    e = env.env()
    e.update(extra_env or {})
    start = time.monotonic()
    p = subprocess.Popen(cmd, env=e, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines = queue.Queue()

    def pump():
        for line in p.stdout:
            lines.put(line)
        lines.put(None)
    threading.Thread(target=pump, daemon=True).start()
    output, user_code, prompts, typed = [], None, 0, []
    deadline = start + timeout
    while True:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            p.kill()
            raise AssertionError("pamrun did not finish in time:\n" + "".join(output))
        if line is None:
            break
        output.append(line)
        if user_code is None:
            m = _re.search(r"enter the code ([A-Z0-9]+)", line)
            if m:
                user_code = m.group(1)
        if line.startswith(("PROMPT:", "SECRET:")):
            prompts += 1
            if prompts == 1 and on_code:
                on_code(user_code)
            if enter_delay:
                time.sleep(enter_delay)
            try:
                if prompts <= max_enters:
                    typed.append(answer(prompts))
                    p.stdin.write(typed[-1] + "\n")
                    p.stdin.flush()
                else:
                    p.stdin.close()
            except (BrokenPipeError, ValueError):
                pass
    p.wait(timeout=30)
    text = "".join(output)
    log = env.syslog.read_text() if env.syslog.exists() else ""
    return LoginRun(pam_code_map(text), text, log, user_code, time.monotonic() - start, prompts, typed)


# ---------------------------------------------------------------------------------------------
# The admin tool on a --root copy of golden/ (Debian 12's or RHEL 9's stock files), never the system.
# Stacks `jcfed enable` writes are compared with golden/*/expected/; JCFED_UPDATE_GOLDEN=1 rewrites
# them (then review the diff: they are the contract).

GOLDEN = pathlib.Path(__file__).resolve().parent / "golden"
PAM_AUTH_UPDATE = pathlib.Path("/usr/sbin/pam-auth-update")
UPDATE_GOLDEN = os.environ.get("JCFED_UPDATE_GOLDEN") == "1"

# The tool tests' IdP: the tenant and public client of the emulator's fixture, at Entra's address.
CLIENT = PUBLIC_CLIENT
URL = f"https://login.microsoftonline.com/{TENANT}"
SECRET = CONFIDENTIAL_SECRET

needs_pam_auth_update = pytest.mark.skipif(not os.access(PAM_AUTH_UPDATE, os.X_OK),
                                           reason="pam-auth-update (libpam-runtime) is not installed")


@pytest.fixture(scope="session")
def tool_binary():
    """Tool modules use it (pytestmark): one clear failure when the tool is not built."""
    if not os.access(TOOL, os.X_OK):
        pytest.fail(f"{TOOL} is missing: run `make tool` (or set JCFED_TOOL)")


def jcfed(root, *args, input=None, env=None):
    """Runs the tool against `root`; returns the CompletedProcess (text)."""
    e = dict(os.environ)
    e.pop("JCFED_ROOT", None)
    e.update(env or {})
    cmd = [str(TOOL)] + (["--root", str(root)] if root else []) + [str(a) for a in args]
    return subprocess.run(cmd, input=input if input is not None else "", capture_output=True, text=True,
                          env=e, timeout=120)


def make_root(tmp_path, name="debian12", module=True, sshd_ready=True):
    """A copy of a golden root. Its sshd_config is Debian's stock one (KbdInteractiveAuthentication
    no, which `enable` refuses for sshd); with sshd_ready a drop-in turns keyboard-interactive on,
    as an admin would (test_tool_enable.py uses the stock file)."""
    root = tmp_path / "root"
    shutil.copytree(GOLDEN / name / "root", root)
    if sshd_ready and (root / "etc/ssh/sshd_config").exists():
        (root / "etc/ssh/sshd_config.d").mkdir(exist_ok=True)
        (root / "etc/ssh/sshd_config.d/50-jcfed.conf").write_text("KbdInteractiveAuthentication yes\n")
    if module:
        mod = root / "usr/lib/x86_64-linux-gnu/security/pam_jcfed.so"
        mod.parent.mkdir(parents=True, exist_ok=True)
        mod.write_bytes(b"")
        (mod.parent / "pam_jcfed_core.so").write_bytes(b"")
    os.chmod(root, 0o755)
    return root


@pytest.fixture
def root(tmp_path):
    return make_root(tmp_path)


@pytest.fixture
def rhel_root(tmp_path):
    return make_root(tmp_path, "rhel9")


def secret_file(tmp_path, mode=0o600, text=SECRET + "\n", name="secret.txt"):
    """An admin's secret file /root/<name> in the root at tmp_path/root (--client-secret-file is
    read under --root); returns the path as the system in the root sees it."""
    home = tmp_path / "root" / "root"
    home.mkdir(parents=True, exist_ok=True)
    p = home / name
    p.write_text(text)
    os.chmod(p, mode)
    return "/root/" + name


def add_idp(root, *extra, secret=None):
    args = ["idp", "add", "--type", "azure", "--name", "Entra OIDC", "--url", URL, "--client-id", CLIENT]
    if secret:
        args += ["--client-secret-file", secret]
    r = jcfed(root, *args, *extra)
    assert r.returncode == 0, r.stderr
    return r


def conf(root):
    return (root / "etc/jcfed/jcfed.conf").read_text()


def tree(root, rel_paths):
    return {p: (root / p).read_text() for p in rel_paths}


def assert_golden(root, expected_dir, rel_paths):
    """Each file equals golden/<expected_dir>/<path> (or rewrites it with JCFED_UPDATE_GOLDEN=1)."""
    for rel in rel_paths:
        got = (root / rel).read_text()
        want_path = GOLDEN / expected_dir / rel
        if UPDATE_GOLDEN:
            want_path.parent.mkdir(parents=True, exist_ok=True)
            want_path.write_text(got)
            continue
        assert want_path.exists(), f"missing golden file {want_path} (run with JCFED_UPDATE_GOLDEN=1)"
        assert got == want_path.read_text(), f"{rel} differs from {want_path}"


def assert_golden_text(text, expected_file):
    path = GOLDEN / expected_file
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return
    assert text == path.read_text(), f"output differs from {path}"


@pytest.fixture(scope="module")
def tool_emulator():
    """One Entra emulator per module for the tool's IdP checks (`jcfed idp test`, `enable`)."""
    from emulator_proc import Emulator, default_fixture
    if not EMULATOR.exists():
        pytest.fail("build/jcfed-entra-emulator is missing: run `make emulator` first")
    with Emulator(default_fixture()) as emu:
        yield emu


@pytest.fixture
def idp_root(tmp_path, tool_emulator):
    """A root configured for the emulator (reset): its CA as ca_file (under the root), the public
    client, no secret. The emulator is `idp_root.emulator`."""
    tool_emulator.reset()
    root = make_root(tmp_path)
    ca = root / "etc/jcfed/test-ca.pem"
    ca.parent.mkdir(parents=True)
    shutil.copy(tool_emulator.ca_path, ca)
    r = jcfed(root, "idp", "add", "--type", "azure", "--name", "Fake Entra", "--url", tool_emulator.authority(TENANT),
              "--client-id", CLIENT, "--ca-file", "/etc/jcfed/test-ca.pem")
    assert r.returncode == 0, r.stderr
    return root


@pytest.fixture
def entra(idp_root, tool_emulator):
    """The emulator behind `idp_root`: `entra.faults(...)`, `entra.requests()`, `entra.url` (its authority)."""
    tool_emulator.url = tool_emulator.authority(TENANT)
    return tool_emulator


# ---------------------------------------------------------------------------------------------
# JumpCloud directory worlds: a config, a state dir, an API key file and an agent dir, against the
# JumpCloud API emulator (jumpcloud_emulator.py) over real TLS, with a real RSA device key.

SYSTEM_KEY = "5e00000000000000000000aa"


def rsa_key():
    from cryptography.hazmat.primitives.asymmetric import rsa
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key):
    from cryptography.hazmat.primitives import serialization
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


class World:
    """A config, a state dir, an API key file and a JumpCloud agent dir, all in a temp dir."""

    def __init__(self, base: pathlib.Path, jc):
        self.base, self.jc = base, jc
        self.etc = base / "etc"
        self.state = base / "state"
        self.agent = base / "opt-jc"
        for d in (self.etc, self.state, self.agent):
            d.mkdir(mode=0o755)
        self.conf = self.etc / "jcfed.conf"
        self.directory = self.state / "directory.json"
        self.key_file = self.etc / "jumpcloud_api_key"
        self.device_key = rsa_key()
        self.write_api_key(jc.fixture["api_key"])
        self.write_config()

    def write_api_key(self, key):
        self.key_file.write_text(key + "\n")
        os.chmod(self.key_file, 0o600)

    def write_config(self, jumpcloud=None, mapping=None, routing=""):
        jcs = {"api_url": self.jc.url, "api_key_file": str(self.key_file), "agent_dir": str(self.agent)}
        jcs.update(jumpcloud or {})
        ms = {"directory": str(self.directory), "state_dir": str(self.state)}
        ms.update(mapping or {})
        text = (f"[idp]\nurl = https://login.microsoftonline.com/{TENANT}\nclient_id = {PUBLIC_CLIENT}\n"
                "[mapping]\n" + "".join(f"{k} = {v}\n" for k, v in ms.items() if v is not None)
                + "[jumpcloud]\n" + "".join(f"{k} = {v}\n" for k, v in jcs.items() if v is not None)
                + (f"[routing]\ngroups = {routing}\n" if routing else ""))
        self.conf.write_text(text)
        os.chmod(self.conf, 0o644)

    def install_agent(self, system_key=SYSTEM_KEY, key=None):
        from cryptography.hazmat.primitives import serialization
        (self.agent / "jcagent.conf").write_text(json.dumps({
            "x509ValidateEnabled": True, "agentServerHost": "agent.jumpcloud.com", "systemKey": system_key}))
        os.chmod(self.agent / "jcagent.conf", 0o644)
        pem = (key or self.device_key).private_bytes(serialization.Encoding.PEM,
                                                     serialization.PrivateFormat.TraditionalOpenSSL,
                                                     serialization.NoEncryption())
        (self.agent / "client.key").write_bytes(pem)
        os.chmod(self.agent / "client.key", 0o600)

    def jcfed(self, *args, timeout=120):
        if not TOOL.exists():
            pytest.fail(f"{TOOL} is missing: run `make tool` (or set JCFED_TOOL)")
        return subprocess.run([str(TOOL), *args], capture_output=True, text=True, timeout=timeout)

    def sync(self, *extra, source="api", attempts=None):
        args = ["directory", "sync", "--config", str(self.conf), "--ca-file", str(self.jc.ca_path),
                "--source", source, "--timeout", "10"]
        if attempts:
            args += ["--max-attempts", str(attempts)]
        return self.jcfed(*args, *extra)

    def load(self):
        return json.loads(self.directory.read_text())


@pytest.fixture
def jc_users():
    """How many users the JumpCloud emulator's org has (a module may override this fixture)."""
    return 250


@pytest.fixture
def jc(jc_users):
    from jumpcloud_emulator import JumpCloudEmulator, default_fixture
    state = pathlib.Path(tempfile.mkdtemp(prefix="jcfed-jc-"))
    try:
        with JumpCloudEmulator(state, default_fixture(jc_users)) as emu:
            yield emu
    finally:
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def world(jc):
    base = pathlib.Path(tempfile.mkdtemp(prefix="jcfed-dir-"))
    os.chmod(base, 0o755)
    try:
        yield World(base, jc)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def synced(world):
    p = world.sync()
    assert p.returncode == 0, p.stdout + p.stderr
    return world.directory.read_bytes()


# ---------------------------------------------------------------------------------------------
# valgrind memcheck: no error, nothing definitely lost.

VALGRIND = ["valgrind", "--tool=memcheck", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite", "--track-fds=no",
            "--child-silent-after-fork=yes"]


def check_clean(out):
    summary = re.search(r"ERROR SUMMARY: (\d+) errors", out)
    assert summary, out[-2000:]
    assert summary.group(1) == "0", out[-4000:]
    lost = re.search(r"definitely lost: ([\d,]+) bytes", out)
    assert lost is None or lost.group(1) == "0", out[-4000:]
