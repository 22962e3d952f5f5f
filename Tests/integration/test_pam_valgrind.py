"""valgrind memcheck over the real module through real libpam: no errors, nothing definitely lost.
(The full-login variants live in test_login_valgrind.py, next to the emulator tests.)"""
import re
import shutil

import pytest

VALGRIND = ["valgrind", "--tool=memcheck", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite", "--track-fds=no",
            "--child-silent-after-fork=yes"]

pytestmark = pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is installed by make deps")


def check_clean(out):
    summary = re.search(r"ERROR SUMMARY: (\d+) errors", out)
    assert summary, out[-2000:]
    assert summary.group(1) == "0", out[-4000:]
    lost = re.search(r"definitely lost: ([\d,]+) bytes", out)
    assert lost is None or lost.group(1) == "0", out[-4000:]


@pytest.mark.parametrize("scenario", ["missing-config", "unsafe-config", "not-routed", "root", "bad-value"])
def test_memcheck_clean(pam_env, scenario):
    user = "alice"
    if scenario == "unsafe-config":
        pam_env.write_config(mode=0o666)
    elif scenario == "not-routed":
        pam_env.write_config(routing={"groups": "federated"})
        user = "dave"
    elif scenario == "root":
        pam_env.write_config()
        user = "root"
    elif scenario == "bad-value":
        pam_env.write_config(mapping={"min_uid": "0"})
    codes, out, _ = pam_env.run(user, op="all", cycles=3, valgrind=VALGRIND, timeout=300)
    assert codes, out[-2000:]
    check_clean(out)
