"""A private system trust store for one process: a mount namespace (unshare -m) in which a temp
directory is bind-mounted over /etc/ssl/certs. Nothing outside that process changes. Used to
test and measure the module against the emulator with no `ca_file`, as in production.

    store = make_store(base / "certs", extra_cas=[emu.ca_path])   # system CAs + the emulator's
    prefix = namespace_prefix(store)                              # put before the pamrun command
"""
import glob
import os
import shutil
import subprocess

SYSTEM_CERTS = "/etc/ssl/certs"
BUNDLE_NAME = "ca-certificates.crt"


def can_bind_mount():
    """unshare and bind mounts work here (root with CAP_SYS_ADMIN)."""
    if shutil.which("unshare") is None:
        return False
    try:
        p = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind {SYSTEM_CERTS} {SYSTEM_CERTS}"],
                           capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return p.returncode == 0


def system_ca_files():
    """The system's CA certificates, one PEM file each (Debian: /etc/ssl/certs/*.pem)."""
    return sorted(os.path.realpath(p) for p in glob.glob(os.path.join(SYSTEM_CERTS, "*.pem")))


def make_store(directory, extra_cas=(), system=True, hashed=True, bundle="certs"):
    """A trust store laid out like Debian's /etc/ssl/certs: one PEM file per CA, `c_rehash` links
    when `hashed`, and the bundle file (`bundle`: "certs" = every CA, "garbage" = not PEM, None =
    no bundle)."""
    os.makedirs(directory, exist_ok=True)
    cas = (system_ca_files() if system else []) + [os.path.realpath(c) for c in extra_cas]
    pems = []
    for i, ca in enumerate(cas):
        with open(ca) as f:
            pem = f.read()
        pems.append(pem)
        with open(os.path.join(directory, f"ca-{i:03d}.pem"), "w") as f:
            f.write(pem)
    if hashed:
        subprocess.run(["openssl", "rehash", directory], check=True, capture_output=True)
    if bundle == "certs":
        with open(os.path.join(directory, BUNDLE_NAME), "w") as f:
            f.write("".join(p if p.endswith("\n") else p + "\n" for p in pems))
    elif bundle == "garbage":
        with open(os.path.join(directory, BUNDLE_NAME), "w") as f:
            f.write("this is not a certificate bundle\n")
    os.chmod(directory, 0o755)
    return directory


def namespace_prefix(store):
    """Command prefix: run the rest of the command line with `store` as /etc/ssl/certs."""
    return ["unshare", "-m", "sh", "-c", f'mount --bind "$0" {SYSTEM_CERTS} && exec "$@"', str(store)]
