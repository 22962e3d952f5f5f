"""Memory and robustness of the real module in a real libpam host.

- Full logins (approved, declined, IdP down) under valgrind memcheck: no error, nothing
  definitely lost.
- 1,000 pam_authenticate cycles in one process (pam_start .. pam_end each time, as a long-lived
  PAM host does): RSS may not grow by 1 MB between cycle 10 (after warm-up) and cycle 1000.
  Three paths: not routed (config parsing, NSS, routing), IdP refusing connections (libcurl),
  and an IdP answering 503 over TLS (libcurl, OpenSSL, HTTP, the discovery error path).
- Full logins with an AddressSanitizer build of the module (`make asan`: every Swift target
  instrumented, same export map) dlopened by libpam, with the ASan runtime in LD_PRELOAD;
  LeakSanitizer runs at exit.

JCFED_SOAK=1 (make soak) runs 20,000 cycles instead of 1,000.
"""
import glob
import os
import pathlib
import re
import shutil
import subprocess

import pytest

import conftest
from conftest import BUILD, NSS_WRAPPER, TENANT, VALGRIND, check_clean, interactive_login

ALICE = "alice@contoso.com"
CYCLES = 20_000 if os.environ.get("JCFED_SOAK") else 1_000
WARM_UP = 10
MAX_GROWTH_KIB = 1024
ASAN_MODULE = BUILD / "pam_jcfed-asan.so"

needs_valgrind = pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is installed by make deps")


def approve(env):
    return lambda code: env.emulator.approve(ALICE, user_code=code)


def decline(env):
    return lambda code: env.emulator.decline(user_code=code)


# ---------------------------------------------------------------------------------------------
# valgrind


@needs_valgrind
@pytest.mark.parametrize("scenario", ["approved", "declined", "idp-down"])
def test_full_login_under_valgrind(idp, scenario):
    emu = idp.emulator
    # valgrind makes TLS about 50 times slower: generous timeouts, they are not what is tested.
    url = emu.authority(TENANT) if scenario != "idp-down" else f"https://127.0.0.1:1/{TENANT}"
    idp.write_config(idp={"url": url, "ca_file": emu.ca_path, "http_timeout": "30", "login_timeout": "180"})
    on_code = {"approved": approve(idp), "declined": decline(idp), "idp-down": None}[scenario]
    run = interactive_login(idp, "alice", on_code, op="auth+acct", valgrind=VALGRIND, timeout=400)
    expected = {"approved": "PAM_SUCCESS", "declined": "PAM_AUTH_ERR", "idp-down": "PAM_AUTHINFO_UNAVAIL"}[scenario]
    assert run.codes.get("auth") == expected, run.output[-4000:]
    check_clean(run.output)


# ---------------------------------------------------------------------------------------------
# many cycles in one process


def rss_by_cycle(output):
    return {int(c): int(k) for c, k in re.findall(r"^RSS (\d+) (\d+)$", output, re.M)}


def cycles(env, user, expected, args=()):
    """Runs CYCLES authentications through libpam in one pamrun; returns {cycle: max RSS KiB}."""
    svc = env.service(args=args)
    cmd = [str(conftest.PAMRUN), "-d", str(env.pamd), "-s", svc, "-u", user, "-o", "auth", "-n", str(CYCLES),
           "-q", "-R", str(WARM_UP)]
    if env.syslog.exists():
        env.syslog.unlink()
    p = subprocess.run(cmd, env=env.env(), capture_output=True, text=True, timeout=1800)
    out = p.stdout + p.stderr
    log = env.syslog.read_text() if env.syslog.exists() else ""
    assert conftest.pam_code_map(out).get("auth") == expected, out[-2000:]
    # The module really ran every cycle (one closing line each).
    assert log.count("auth done:") == CYCLES, log[-2000:]
    rss = rss_by_cycle(out)
    assert set(rss) >= {1, WARM_UP, CYCLES}, out[-2000:]
    growth = rss[CYCLES] - rss[WARM_UP]
    assert growth < MAX_GROWTH_KIB, f"max RSS grew by {growth} KiB from cycle {WARM_UP} to {CYCLES}: {rss}"
    return rss


def test_cycles_not_routed(pam_env):
    pam_env.write_config(routing={"groups": "federated"})
    # The module says PAM_IGNORE (logged with `debug` only); the stack has nothing else.
    cycles(pam_env, "dave", "PAM_PERM_DENIED", args=("debug",))


def test_cycles_idp_refuses_connections(pam_env):
    pam_env.write_config(idp={"url": f"https://127.0.0.1:1/{TENANT}"})
    cycles(pam_env, "alice", "PAM_AUTHINFO_UNAVAIL")


def test_cycles_idp_answers_503_over_tls(idp):
    idp.emulator.faults(status=503, paths=["discovery"])
    cycles(idp, "alice", "PAM_AUTHINFO_UNAVAIL")
    assert len(idp.emulator.requests()) == CYCLES  # one TLS exchange per cycle, really made


# ---------------------------------------------------------------------------------------------
# AddressSanitizer


def asan_runtime():
    found = sorted(glob.glob("/opt/swift/usr/lib/clang/*/lib/linux/libclang_rt.asan-x86_64.so"))
    if not found:
        swiftc = shutil.which("swiftc")
        if swiftc:
            root = pathlib.Path(os.path.realpath(swiftc)).parents[1]
            found = sorted(glob.glob(str(root / "lib/clang/*/lib/linux/libclang_rt.asan-x86_64.so")))
    return found[-1] if found else None


@pytest.fixture
def asan_module(monkeypatch):
    if not ASAN_MODULE.exists():
        pytest.fail(f"{ASAN_MODULE} is missing: run `make asan`")
    runtime = asan_runtime()
    if runtime is None:
        pytest.fail("libclang_rt.asan-x86_64.so of Swift's clang not found")
    undefined = subprocess.run(["nm", "-D", "--undefined-only", str(ASAN_MODULE)], capture_output=True,
                               text=True, check=True).stdout
    # Instrumented: the module calls the ASan runtime on every checked load (and, linked with
    # -z now, would not even load without the runtime in the process).
    assert "__asan_report_load8" in undefined
    monkeypatch.setattr(conftest, "MODULE", ASAN_MODULE)
    return runtime


@pytest.mark.parametrize("scenario", ["approved", "declined", "idp-down"])
def test_full_login_under_address_sanitizer(idp, asan_module, tmp_path, scenario):
    emu = idp.emulator
    url = emu.authority(TENANT) if scenario != "idp-down" else f"https://127.0.0.1:1/{TENANT}"
    idp.write_config(idp={"url": url, "ca_file": emu.ca_path, "http_timeout": "10", "login_timeout": "60"})
    reports = tmp_path / "asan"
    env = {
        # The runtime first: ASan must see every allocation of the process.
        "LD_PRELOAD": f"{asan_module} {NSS_WRAPPER}",
        "ASAN_OPTIONS": f"detect_leaks=1:halt_on_error=1:abort_on_error=0:log_path={reports}",
        # nss_wrapper dlopens libc with RTLD_DEEPBIND to reach the real gethostname (the sign-in
        # names the machine), which the ASan runtime refuses; the flag only changes nss_wrapper's
        # symbol lookup order, not the module.
        "NSS_WRAPPER_DISABLE_DEEPBIND": "1",
    }
    on_code = {"approved": approve(idp), "declined": decline(idp), "idp-down": None}[scenario]
    run = interactive_login(idp, "alice", on_code, op="auth+acct", direct=False, extra_env=env, timeout=120)
    written = sorted(glob.glob(f"{reports}*"))
    text = "".join(pathlib.Path(f).read_text(errors="replace") for f in written)
    assert not written, text[-6000:]
    expected = {"approved": "PAM_SUCCESS", "declined": "PAM_AUTH_ERR", "idp-down": "PAM_AUTHINFO_UNAVAIL"}[scenario]
    assert run.codes.get("auth") == expected, run.output[-3000:]
    if scenario == "approved":
        assert run.codes.get("acct") == "PAM_SUCCESS", run.output[-3000:]
        assert "Signed in as alice@contoso.com" in run.output
