"""valgrind memcheck over the real module through real libpam: no errors, nothing definitely lost.
(The full-login variants live in test_memory.py, next to the emulator tests.)"""
import shutil

import pytest

from conftest import VALGRIND, check_clean

pytestmark = pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is installed by make deps")


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
