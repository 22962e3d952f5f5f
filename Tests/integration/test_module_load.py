"""What loading pam_jcfed.so costs a process that never calls it (bench row 1): every
sshd, sudo and su that has the module in its stack pays this, federated user or not. The module
is the front (pam/front/pam_jcfed_front.c); what the Swift core it loads costs is checked on
pam_jcfed_core.so."""
import os
import subprocess

from conftest import CORE, MODULE, interactive_login, opened_paths, strace_opens


def needed(path):
    out = subprocess.run(["readelf", "-d", "-W", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split("[", 1)[1].rstrip("]") for line in out.splitlines() if "(NEEDED)" in line]


def test_the_module_needs_only_libpam_and_glibc():
    assert sorted(needed(MODULE)) == ["libc.so.6", "libpam.so.0"]
    # The core: libcurl, libcrypto, libqrencode and libm are loaded on first use; libgcc's
    # unwinder and libstdc++ are linked in (local): neither libgcc_s.so.1 nor libstdc++.so.6 is
    # mapped by loading it.
    assert sorted(needed(CORE)) == ["ld-linux-x86-64.so.2", "libc.so.6", "libpam.so.0"]


def test_the_module_links_neither_string_processing_nor_concurrency():
    """One call of String.contains(String) linked _StringProcessing and the regex engine under it
    into the module: ~3,100 more relocations and ~13 more pages written at every load. The
    module's targets are compiled without those implicit imports (Package.swift); the type names
    the runtime keeps (swift5_typeref, reflection strings) survive stripping, so a library that
    comes back shows here."""
    data = CORE.read_bytes()
    for library in (b"_StringProcessing", b"_RegexParser", b"12_Concurrency"):
        assert library not in data, library


def test_loading_the_module_opens_no_file(pam_env, tmp_path):
    """Named for the session stage only, the module is loaded by pam_start and never called: its
    load opens nothing (the static Swift runtime's argv hook used to read /proc/self/maps)."""
    (pam_env.pamd / "loaded").write_text("auth required pam_permit.so\naccount required pam_permit.so\n"
                                         f"session optional {MODULE} config={pam_env.conf}\n")
    (pam_env.pamd / "floor").write_text("auth required pam_permit.so\naccount required pam_permit.so\n")
    opened = {}
    for service in ("floor", "loaded"):
        out, opened[service] = pam_env.opened_files(service, "dave", "auth", tmp_path / f"{service}.trace")
        assert "RESULT auth PAM_SUCCESS" in out, out
    assert str(MODULE) in opened["loaded"], opened["loaded"]
    floor = set(opened["floor"])
    extra = [path for path in opened["loaded"]
             if path not in floor and path != str(MODULE) and not path.startswith(str(pam_env.pamd))]
    # Not even libm, nor the core: the front needs no library that pamrun has not loaded already.
    assert extra == [], f"loading pam_jcfed.so opened {extra}"


def test_a_not_federated_decision_loads_no_library(pam_env, tmp_path):
    """dave is outside routing.groups: auth and account decide "not federated" without loading
    libcurl, libcrypto, libqrencode or libm (each is loaded on first use)."""
    pam_env.write_config(routing={"groups": "federated"})
    (pam_env.pamd / "jcfed").write_text(
        f"auth sufficient {MODULE} config={pam_env.conf}\nauth required pam_permit.so\n"
        f"account [default=ignore success=ok] {MODULE} config={pam_env.conf}\naccount required pam_permit.so\n")
    out, opened = pam_env.opened_files("jcfed", "dave", "auth+acct", tmp_path / "jcfed.trace")
    assert "RESULT auth PAM_SUCCESS" in out, out
    libraries = [path for path in opened if ".so" in os.path.basename(path) and "security" not in path
                 and path != str(MODULE)]
    loaded_late = [path for path in libraries
                   if any(name in path for name in ("libm.so", "libcurl", "libcrypto", "libqrencode"))]
    assert loaded_late == [], f"a not-federated decision loaded {loaded_late}"


def test_a_federated_login_loads_no_libm(idp, tmp_path):
    """A whole login (device flow, token, account) calls ceil and round, which the module
    computes itself (Sources/CMath/jcfed_rounding.c): libm.so.6 is never opened (it was, for
    those two calls, in every login: 0.37 MB of RSS). libcurl and libcrypto are, on first use."""
    trace = tmp_path / "login.trace"
    run = interactive_login(idp, "alice", lambda code: idp.emulator.approve("alice@contoso.com", user_code=code),
                            valgrind=strace_opens(trace))
    assert run.codes.get("auth") == "PAM_SUCCESS", run.output[-2000:]
    opened = [os.path.basename(path) for path in opened_paths(trace)]
    assert any(name.startswith("libcurl.so") for name in opened), opened
    assert any(name.startswith("libcrypto.so") for name in opened), opened
    assert not [name for name in opened if name.startswith("libm.so")], opened


def relocation_table(path, section=".rela.dyn"):
    """(address, size) of .rela.dyn (or `section`) in the file at `path` (readelf)."""
    out = subprocess.run(["readelf", "-S", "-W", str(path)], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 5 and fields[1] == section:
            return int(fields[3], 16), int(fields[5], 16)
    raise AssertionError(out)


def resident_pages(pid, start, end):
    """How many of the pages in [start, end) of process `pid` are in memory (/proc/PID/pagemap)."""
    count = 0
    with open(f"/proc/{pid}/pagemap", "rb") as f:
        for page in range(start // 4096, end // 4096):
            f.seek(page * 8)
            if int.from_bytes(f.read(8), "little") >> 63:
                count += 1
    return count


def waiting_pamruns(idp):
    """(pid, lines of /proc/PID/maps) of each pamrun of this test's pam.d folder."""
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read()
            maps = open(f"/proc/{pid}/maps").read().splitlines()
        except OSError:
            continue
        if b"pamrun" in cmdline and str(idp.pamd).encode() in cmdline:
            yield pid, maps


def test_the_cores_relocation_table_leaves_memory_after_loading(idp, tmp_path):
    """ld.so reads the core's .rela.dyn (400 KB, the static Swift runtime's metadata) once; the
    front drops its pages after loading the core, so a login waiting for its person (bench row 5)
    does not hold them. Seen in the waiting pamrun's page table."""
    if os.geteuid() != 0:
        import pytest
        pytest.skip("/proc/PID/pagemap needs root")
    address, size = relocation_table(CORE)
    seen = {}

    def inspect(code):
        for pid, maps in waiting_pamruns(idp):
            base = next(int(line.split("-")[0], 16) for line in maps
                        if line.endswith("pam_jcfed_core.so") and line.split()[2] == "00000000")
            first = (base + address + 4095) // 4096 * 4096
            last = (base + address + size) // 4096 * 4096
            seen["pages"] = (last - first) // 4096
            seen["resident"] = resident_pages(int(pid), first, last)
            # The first page of the core (its ELF header, read by ld.so too) stays: the check sees pages.
            seen["header"] = resident_pages(int(pid), base, base + 4096)
        idp.emulator.approve("alice@contoso.com", user_code=code)

    run = interactive_login(idp, "alice", inspect)
    assert run.codes.get("auth") == "PAM_SUCCESS", run.output[-2000:]
    assert seen.get("pages", 0) > 90 and seen["header"] == 1, seen
    assert seen["resident"] == 0, seen


LOADED_LIBRARIES = ["libcrypto.so.3", "libp11-kit.so.0", "libkrb5.so.3"]
LOAD_TIME_TABLES = [".rela.dyn", ".dynsym", ".dynstr"]


def test_the_load_time_tables_of_the_libraries_it_loads_leave_memory(idp):
    """The same for the libraries the core loads on first use (libcurl with its ~30, libcrypto):
    ld.so reads their relocation tables once (libcrypto's alone is 430 KB) and their symbol
    tables while it binds names; the core drops the pages of those tables, of the objects its
    dlopen added, once loading is done. pamrun does not link any of these, so all are the core's.
    Seen in the waiting pamrun's page table, with each library's first page (its ELF header,
    read by ld.so) still there: the check sees pages."""
    if os.geteuid() != 0:
        import pytest
        pytest.skip("/proc/PID/pagemap needs root")
    seen = {}

    def inspect(code):
        for pid, maps in waiting_pamruns(idp):
            for name in LOADED_LIBRARIES:
                mapped = [line for line in maps if os.path.basename(line.split()[-1]).startswith(name)]
                if not mapped:
                    continue
                path = mapped[0].split()[-1]
                base = next(int(line.split("-")[0], 16) for line in mapped if line.split()[2] == "00000000")
                seen[name] = {"header": resident_pages(int(pid), base, base + 4096)}
                for table in LOAD_TIME_TABLES:
                    address, size = relocation_table(path, table)
                    first = (base + address + 4095) // 4096 * 4096
                    last = (base + address + size) // 4096 * 4096
                    seen[name][table] = (resident_pages(int(pid), first, last), (last - first) // 4096)
        idp.emulator.approve("alice@contoso.com", user_code=code)

    run = interactive_login(idp, "alice", inspect)
    assert run.codes.get("auth") == "PAM_SUCCESS", run.output[-2000:]
    assert set(seen) == set(LOADED_LIBRARIES), seen
    assert seen["libcrypto.so.3"][".rela.dyn"][1] > 90 and seen["libcrypto.so.3"][".dynsym"][1] > 20, seen
    for name, pages in seen.items():
        assert pages["header"] == 1, (name, seen)
        for table in LOAD_TIME_TABLES:
            assert pages[table][0] == 0, (name, table, seen)

