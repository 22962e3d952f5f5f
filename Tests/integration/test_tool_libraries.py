"""`jcfed enable`, `status` and `idp test` probe the libraries the module loads
at a federated login (libcurl.so.4 with its version, libcrypto.so.3, libqrencode.so.4) and say
plainly when one is missing or too old.

Libraries are changed for real, for the tool's process only: a libcurl.so.4 or libcrypto.so.3 built
here and found first through LD_LIBRARY_PATH (as the dynamic loader does for any program), and an
empty root (chroot) that holds the tool and the C/C++ runtime it is linked with and nothing else."""
import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import TOOL, add_idp, jcfed, make_root

FAKE_CURL_C = r"""
typedef struct { int age; const char *version; unsigned int version_num; } info_t;
static info_t info = { 0, VERSION_TEXT, VERSION_NUM };
void *curl_version_info(int age) { (void)age; return &info; }
void *curl_easy_init(void) { return 0; }
"""

# A library with libcrypto's name and none of its functions.
FAKE_CRYPTO_C = "int not_openssl(void) { return 0; }\n"


def build_lib(d, soname, source, *defines):
    d.mkdir(parents=True, exist_ok=True)
    (d / "lib.c").write_text(source)
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", *defines, f"-Wl,-soname,{soname}", "-o", str(d / soname),
                    str(d / "lib.c")], check=True)
    return d


def old_curl(tmp_path, text, num):
    return build_lib(tmp_path / f"curl-{text}", "libcurl.so.4", FAKE_CURL_C,
                     f'-DVERSION_TEXT="{text}"', f"-DVERSION_NUM={num}")


def libraries(root, env=None):
    r = jcfed(root, "status", "--json", env=env)
    return {lib["soname"]: lib for lib in json.loads(r.stdout)["libraries"]}


def ready_root(tmp_path):
    root = make_root(tmp_path)
    add_idp(root)
    return root


def test_status_shows_each_library_with_its_version(tmp_path):
    root = ready_root(tmp_path)
    libs = libraries(root)
    curl, crypto = libs["libcurl.so.4"], libs["libcrypto.so.3"]
    assert curl["usable"] and re.fullmatch(r"\d+\.\d+\.\d+.*", curl["version"]), curl
    major, minor = (int(x) for x in curl["version"].split(".")[:2])
    # Which way the module restricts libcurl to https, by the version found.
    assert ("CURLOPT_PROTOCOLS_STR" in curl["note"]) == ((major, minor) >= (7, 85)), curl
    assert crypto["usable"] and crypto["version"].startswith("OpenSSL 3"), crypto
    assert libs["libqrencode.so.4"]["required"] is False
    out = jcfed(root, "status").stdout
    assert re.search(r"^libraries:\s+libcurl\.so\.4 \d", out, re.M), out


def test_libcurl_older_than_7_85_is_accepted_with_the_protocols_bitmask(tmp_path):
    root = ready_root(tmp_path)
    env = {"LD_LIBRARY_PATH": str(old_curl(tmp_path, "7.81.0", "0x075100"))}
    curl = libraries(root, env)["libcurl.so.4"]
    assert curl["usable"] and curl["version"] == "7.81.0", curl
    assert "CURLOPT_PROTOCOLS bitmask" in curl["note"], curl
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "login", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "libcurl" not in r.stdout


def test_a_too_old_libcurl_refuses_enable_unless_forced(tmp_path):
    root = ready_root(tmp_path)
    env = {"LD_LIBRARY_PATH": str(old_curl(tmp_path, "7.80.0", "0x075000"))}
    pam_login = (root / "etc/pam.d/login").read_bytes()
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "login", env=env)
    assert r.returncode != 0, r.stdout
    assert "[FAIL] libcurl.so.4 is 7.80.0, too old (jcfed needs libcurl 7.81.0 or newer)" in r.stdout, r.stdout
    assert "not enabled: libcurl.so.4 cannot be used here" in r.stderr + r.stdout
    assert (root / "etc/pam.d/login").read_bytes() == pam_login
    assert "too old" in jcfed(root, "status", env=env).stdout
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--force", "--services", "login", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[WARN] --force: enabling anyway; every federated login fails until libcurl.so.4 can be loaded" in r.stdout
    assert "pam_jcfed.so" in (root / "etc/pam.d/login").read_text()


def test_a_libcrypto_without_openssl_fails_idp_test_and_enable(tmp_path):
    root = ready_root(tmp_path)
    env = {"LD_LIBRARY_PATH": str(build_lib(tmp_path / "crypto", "libcrypto.so.3", FAKE_CRYPTO_C))}
    r = jcfed(root, "idp", "test", env=env)
    assert r.returncode != 0
    assert "[FAIL] libcrypto.so.3 is not a usable libcrypto" in r.stdout, r.stdout
    assert "install libssl3" in r.stdout
    r = jcfed(root, "enable", "--yes", "--no-idp-check", "--services", "login", env=env)
    assert r.returncode != 0 and "libcrypto.so.3 cannot be used here" in r.stderr + r.stdout, r.stdout + r.stderr
    assert libraries(root, env)["libcrypto.so.3"]["usable"] is False


@pytest.fixture
def empty_root(tmp_path):
    """A root holding only the tool and the libraries it is linked with (ldd): no libcurl,
    libcrypto or libqrencode for it to load. Needs chroot (root)."""
    if os.geteuid() != 0 or not shutil.which("chroot") or not shutil.which("unshare"):
        pytest.skip("needs root, chroot(8) and unshare(1)")
    top = tmp_path / "empty"
    (top / "bin").mkdir(parents=True)
    (top / "proc").mkdir()
    shutil.copy2(TOOL, top / "bin/jcfed")
    out = subprocess.run(["ldd", str(TOOL)], capture_output=True, text=True, check=True).stdout
    for m in re.finditer(r"(?:=> )?(/\S+) \(0x", out):
        src = m.group(1)
        dst = top / src.lstrip("/")
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(os.path.realpath(src), dst)
    target = make_root(tmp_path / "t")
    shutil.move(str(target), str(top / "target"))
    os.chmod(top, 0o755)
    return top


def in_empty_root(top, *args):
    # A private mount namespace with /proc (Swift reads its arguments from /proc/self/cmdline),
    # then chroot: the tool sees only the files of the empty root.
    script = 'c="$1"; shift; mount -t proc proc "$0/proc" && exec "$c" "$0" /bin/jcfed --root /target "$@"'
    return subprocess.run([shutil.which("unshare"), "--mount", "--propagation", "private", "sh", "-c", script,
                           str(top), shutil.which("chroot"), *args],
                          capture_output=True, text=True, timeout=120, env={"PATH": "/bin:/usr/bin:/sbin:/usr/sbin"})


def test_missing_libraries_are_named_by_status_idp_test_and_enable(empty_root):
    r = in_empty_root(empty_root, "idp", "add", "--type", "azure", "--name", "Entra OIDC", "--url",
                      "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47",
                      "--client-id", "0b6f3a8e-3c0b-4d5e-9a71-1f2e3d4c5b6a")
    assert r.returncode == 0, r.stdout + r.stderr
    out = in_empty_root(empty_root, "status").stdout
    line = next(x for x in out.splitlines() if x.startswith("libraries:"))
    for soname in ("libcurl.so.4", "libcrypto.so.3", "libqrencode.so.4"):
        assert f"{soname} is not installed" in line, line
    r = in_empty_root(empty_root, "idp", "test")
    assert r.returncode != 0
    assert "[FAIL] libcurl.so.4 is not installed" in r.stdout, r.stdout
    assert "[FAIL] libcrypto.so.3 is not installed" in r.stdout, r.stdout
    assert "[WARN] libqrencode.so.4 is not installed" in r.stdout and "optional" in r.stdout, r.stdout
    before = (empty_root / "target/etc/pam.d/login").read_bytes()
    r = in_empty_root(empty_root, "enable", "--yes", "--no-idp-check", "--services", "login")
    assert r.returncode != 0
    assert "not enabled: libcurl.so.4, libcrypto.so.3 cannot be used here" in r.stdout + r.stderr, r.stdout + r.stderr
    assert (empty_root / "target/etc/pam.d/login").read_bytes() == before
