"""valgrind memcheck over the real module through real libpam: no errors, nothing definitely lost.
(The full-login variants live in test_memory.py, next to the emulator tests.)"""
import shutil

import pytest

from conftest import VALGRIND, check_clean

pytestmark = pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is installed by make deps")


@pytest.mark.parametrize("scenario", ["missing-config", "unsafe-config", "not-routed", "not-routed-stack", "root",
                                      "bad-value"])
def test_memcheck_clean(pam_env, scenario):
    user = "alice"
    if scenario == "unsafe-config":
        pam_env.write_config(mode=0o666)
    elif scenario in ("not-routed", "not-routed-stack"):
        pam_env.write_config(routing={"groups": "federated"})
        user = "dave"
    elif scenario == "root":
        pam_env.write_config()
        user = "root"
    elif scenario == "bad-value":
        pam_env.write_config(mapping={"min_uid": "0"})
    # Through the stack, libpam calls the module and pam_set_data works: the configuration auth
    # parsed is kept on the handle for account and released by pam_end (called directly, the
    # module runs in the application's context, where libpam refuses module data).
    codes, out, _ = pam_env.run(user, op="all", cycles=3, valgrind=VALGRIND, timeout=300,
                                direct=scenario != "not-routed-stack")
    assert codes, out[-2000:]
    check_clean(out)
