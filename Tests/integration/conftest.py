"""Shared fixtures for the integration tests: real libpam (through build/pamrun), nss_wrapper
users, safe config files, and the Entra emulator (emulator_proc.Emulator).

Everything runs on this machine: no system file is touched, services listen on 127.0.0.1 only.
"""
import os
import pathlib
import shutil
import stat
import subprocess
import tempfile
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
MODULE = BUILD / "pam_jcfed.so"
PAMRUN = BUILD / "pamrun"
TOOL = pathlib.Path(os.environ.get("JCFED_TOOL", BUILD / "jcfed"))
EMULATOR = BUILD / "jcfed-entra-emulator"
NSS_WRAPPER = "/usr/lib/x86_64-linux-gnu/libnss_wrapper.so"

TENANT = "11111111-2222-3333-4444-555555555555"
PUBLIC_CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"

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
        e["LD_PRELOAD"] = NSS_WRAPPER
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
            stdin=None, timeout=120, extra=(), valgrind=None):
        """Runs pamrun; returns (codes, stdout, syslog text)."""
        svc = self.service()
        cmd = [str(PAMRUN), "-d", str(self.pamd), "-s", svc, "-u", user, "-o", op, "-n", str(cycles)]
        if direct:
            cmd += ["-m", str(MODULE), "-A", f"config={self.conf}"] + [x for a in args for x in ("-A", a)]
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


@pytest.fixture
def pam_env():
    if not MODULE.exists() or not PAMRUN.exists():
        pytest.fail("build/pam_jcfed.so and build/pamrun are missing: run `make` first")
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
