#!/usr/bin/env python3
"""`make demo`: a complete federated login on the bundled Entra emulator.

Starts the emulator with a demo tenant, writes a jcfed.conf and a PAM service into a temp dir,
and runs pamtester through real libpam (pam_wrapper redirects the service dir, nss_wrapper gives
a demo user `alice`; no system file is touched). It shows exactly what a user sees, approves the
code as alice@contoso.com after a few seconds (INTERACTIVE=1: waits for you to use the
/devicelogin page in a browser and press Enter), and ends with the PAM result.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from conftest import MODULE, PamEnv, TENANT  # noqa: E402
from emulator_proc import Emulator, default_fixture  # noqa: E402

PAM_WRAPPER = "/usr/lib/x86_64-linux-gnu/libpam_wrapper.so"


def main():
    interactive = os.environ.get("INTERACTIVE") == "1"
    base = pathlib.Path(tempfile.mkdtemp(prefix="jcfed-demo-"))
    try:
        env = PamEnv(base)
        with Emulator(default_fixture()) as emu:
            emu.faults(interval=2)
            env.write_config(idp={"url": emu.authority(TENANT), "ca_file": str(emu.ca_path),
                                  "name": "Contoso (demo)", "qr": "auto", "login_timeout": "110"})
            (env.pamd / "jcfed-demo").write_text(
                f"auth    required {MODULE} config={env.conf}\n"
                f"account required {MODULE} config={env.conf}\n")
            print(f"== jcfed demo: Entra emulator at {emu.authority(TENANT)}")
            print(f"== pamtester jcfed-demo alice authenticate acct_mgmt   (real libpam, pam_wrapper, nss_wrapper)\n")
            e = env.env()
            e["LD_PRELOAD"] = f"{PAM_WRAPPER} {e['LD_PRELOAD']}"
            e["PAM_WRAPPER"] = "1"
            e["PAM_WRAPPER_SERVICE_DIR"] = str(env.pamd)
            e.pop("PAMRUN_SYSLOG", None)
            cmd = ["pamtester", "-v", "jcfed-demo", "alice", "authenticate", "acct_mgmt"]
            if interactive:
                print(f"== INTERACTIVE=1: open https://127.0.0.1:{emu.port}/devicelogin (trust {emu.ca_path}),"
                      " enter the code, pick Alice, then press Enter here.\n")
                rc = subprocess.call(cmd, env=e)
            else:
                rc = run_auto(cmd, e, emu)
        print(f"\n== pamtester exit status {rc}: {'federated login succeeded' if rc == 0 else 'login failed'}")
        return rc
    finally:
        shutil.rmtree(base, ignore_errors=True)


def run_auto(cmd, env, emu):
    """Runs pamtester in a pseudo-terminal, as a person at a console would see it."""
    import pexpect
    child = pexpect.spawn(cmd[0], cmd[1:], env=env, encoding="utf-8", timeout=150)
    child.logfile_read = sys.stdout
    child.expect(r"enter the code ([A-Z0-9]+)")
    code = child.match.group(1)
    child.expect("Press Enter")
    print(f"\n   [demo] signing in as alice@contoso.com on the 'phone' in 3 seconds...")
    time.sleep(3)
    emu.approve("alice@contoso.com", user_code=code)
    print("   [demo] approved; pressing Enter")
    child.sendline("")
    while child.expect(["check again", pexpect.EOF]) == 0:
        child.sendline("")
    child.close()
    return child.exitstatus if child.exitstatus is not None else 1


if __name__ == "__main__":
    sys.exit(main())
