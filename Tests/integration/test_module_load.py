"""What loading pam_jcfed.so costs a process that never calls it (bench row 1): every
sshd, sudo and su that has the module in its stack pays this, federated user or not."""
import shutil
import subprocess

import pytest

from conftest import MODULE, PAMRUN


def needed(path):
    out = subprocess.run(["readelf", "-d", "-W", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split("[", 1)[1].rstrip("]") for line in out.splitlines() if "(NEEDED)" in line]


def test_the_module_needs_only_libpam_and_glibc():
    # libcurl, libcrypto and libqrencode are loaded on first use; libgcc's unwinder and libstdc++
    # are linked in (local): neither libgcc_s.so.1 nor libstdc++.so.6 is mapped by loading it.
    assert sorted(needed(MODULE)) == ["ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6", "libpam.so.0"]


def test_the_module_links_neither_string_processing_nor_concurrency():
    """One call of String.contains(String) linked _StringProcessing and the regex engine under it
    into the module: ~3,100 more relocations and ~13 more pages written at every load. The
    module's targets are compiled without those implicit imports (Package.swift); the type names
    the runtime keeps (swift5_typeref, reflection strings) survive stripping, so a library that
    comes back shows here."""
    data = MODULE.read_bytes()
    for library in (b"_StringProcessing", b"_RegexParser", b"12_Concurrency"):
        assert library not in data, library


def test_loading_the_module_opens_no_file(pam_env, tmp_path):
    """Named for the session stage only, the module is loaded by pam_start and never called: its
    load opens nothing (the static Swift runtime's argv hook used to read /proc/self/maps)."""
    if shutil.which("strace") is None:
        pytest.skip("strace is missing")
    (pam_env.pamd / "loaded").write_text("auth required pam_permit.so\naccount required pam_permit.so\n"
                                         f"session optional {MODULE} config={pam_env.conf}\n")
    (pam_env.pamd / "floor").write_text("auth required pam_permit.so\naccount required pam_permit.so\n")
    opened = {}
    for service in ("floor", "loaded"):
        trace = tmp_path / f"{service}.trace"
        p = subprocess.run(["strace", "-f", "-qq", "-e", "trace=open,openat", "-o", str(trace), str(PAMRUN),
                            "-d", str(pam_env.pamd), "-s", service, "-u", "dave", "-o", "auth"],
                           env=pam_env.env(), capture_output=True, text=True, timeout=120)
        assert "RESULT auth PAM_SUCCESS" in p.stdout, p.stdout + p.stderr
        opened[service] = [line.split('"')[1] for line in trace.read_text().splitlines() if '"' in line]
    assert str(MODULE) in opened["loaded"], opened["loaded"]
    floor = set(opened["floor"])
    extra = [path for path in opened["loaded"]
             if path not in floor and path != str(MODULE) and not path.startswith(str(pam_env.pamd))]
    # The dynamic loader looks for libm in its usual places (the only library the module needs
    # that pamrun does not).
    extra = [path for path in extra if "libm.so.6" not in path and not path.endswith("/etc/ld.so.cache")]
    assert extra == [], f"loading pam_jcfed.so opened {extra}"
