#!/usr/bin/env python3
"""`make symbol-order`: writes pam/pam_jcfed.order, the functions a login runs, for lld's
--symbol-ordering-file.

Why: the module's .text is ~5 MB (mostly the static Swift runtime and stdlib) and a login runs a
few hundred KB of it, scattered. Every page fault in a file mapping also maps its neighbours
(fault-around, 64 KB), so scattered code shows up as megabytes of RSS in every process that
loads the module, federated user or not (bench/results.md, row 1). Placing the functions that
run first in .text keeps them on few pages. Only input sections move: functions of the stdlib's
main .text section stay where they are.

How: callgrind (valgrind) runs the release module (debug info stripped, symbols kept) through
real libpam on (1) the not-federated path and (2) a full federated login against the Entra
emulator; the functions of the module it saw are the list: those of the not-federated path first,
each part sorted so that the file is stable (first-seen order varies between runs, Swift's hashing
is seeded per process). A stale list is harmless (unknown names are ignored; the layout is only
less good).
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests/integration"))
import conftest  # noqa: E402
from conftest import PamEnv, TENANT  # noqa: E402

UNSTRIPPED = ROOT / ".build-module/release/libpam_jcfed.so"
ORDER = ROOT / "pam/pam_jcfed.order"
PAM_WRAPPER = "/usr/lib/x86_64-linux-gnu/libpam_wrapper.so"


def callgrind(out):
    return ["valgrind", "--tool=callgrind", "--demangle=no", f"--callgrind-out-file={out}"]


def functions_in(profile, object_name):
    """Functions of `object_name` in a callgrind profile, in first-seen order."""
    objects, functions, seen, order = {}, {}, set(), []
    current_object = callee_object = None

    def name(table, token):
        m = re.match(r"\((\d+)\)(?: (.*))?", token)
        if not m:
            return token
        if m.group(2) is not None:
            table[m.group(1)] = m.group(2)
        return table.get(m.group(1))

    def add(fn, obj):
        if not fn or not obj or not obj.endswith(object_name):
            return
        fn = re.sub(r"'\d+$", "", fn)  # callgrind's recursion marker
        if fn.startswith("0x") or fn in seen:
            return
        seen.add(fn)
        order.append(fn)

    for line in open(profile, errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("ob="):
            current_object = name(objects, line[3:])
        elif line.startswith("cob="):
            callee_object = name(objects, line[4:])
        elif line.startswith("fn="):
            add(name(functions, line[3:]), current_object)
            callee_object = None
        elif line.startswith("cfn="):
            add(name(functions, line[4:]), callee_object or current_object)
            callee_object = None
    return order


SWIFT_STATIC = pathlib.Path(shutil.which("swiftc") or "/usr/bin/swiftc").resolve().parents[1] / "lib/swift_static/linux"
LIBSTDCXX = subprocess.run(["cc", "-print-file-name=libstdc++.a"], capture_output=True, text=True).stdout.strip()
# An input section larger than this that holds many functions is one lump for the linker.
LUMP_BYTES = 32 * 1024


def archive_members(archive):
    """Each member of a static archive as (sections, functions): sections maps a section's index
    to (name, type, size), functions lists (name, section index). One readelf for both uses
    below; an archive that is not there has no members."""
    if not os.path.exists(archive):
        return []
    out = subprocess.run(["readelf", "-W", "-S", "-s", str(archive)], capture_output=True, text=True).stdout
    members, sections, functions = [], {}, []
    for line in out.splitlines():
        if line.startswith("File: "):
            if sections or functions:
                members.append((sections, functions))
            sections, functions = {}, []
            continue
        section = re.match(r"\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if section:
            sections[section.group(1)] = (section.group(2), section.group(3), int(section.group(4), 16))
            continue
        symbol = re.match(r"\s*\d+:\s+[0-9a-f]+\s+\d+\s+FUNC\s+\S+\s+\S+\s+(\d+)\s+(\S+)", line)
        if symbol:
            functions.append((symbol.group(2), symbol.group(1)))
    if sections or functions:
        members.append((sections, functions))
    return members


def functions_in_lumps(members):
    """Functions that share a large input section with many others in the static archives the
    module links (most of Swift.o's witnesses, metadata accessors and merged functions are in its
    plain .text, ~1.5 MB, not in a section of their own). Ordering one of them moves the whole
    lump, which would split the ordered functions in two far-apart halves."""
    lumped = set()
    for sections, functions in members:
        counts = {}
        for _, index in functions:
            counts[index] = counts.get(index, 0) + 1
        lumped.update(name for name, index in functions
                      if index in sections and sections[index][2] > LUMP_BYTES and counts[index] > 1)
    return lumped


def small_runtime_variables(members, limit=4096):
    """The Swift runtime's C++ variables (each in its own .bss section: caches, once-tokens,
    locks) of at most `limit` bytes. The runtime touches a good part of them when the module is
    loaded and on first use, and spread over the module's .bss each touch is a page fault of its
    own; listed in the ordering file they sit together on a few pages."""
    names = {name[len(".bss."):] for sections, _ in members for name, kind, size in sections.values()
             if name.startswith(".bss.") and kind == "NOBITS" and size <= limit}
    return sorted(names)


def profile_not_federated(env, module, out):
    env.write_config(routing={"groups": "federated"})
    (env.pamd / "jcfed").write_text(f"auth sufficient {module} config={env.conf}\nauth required pam_permit.so\n"
                                    f"account [default=ignore success=ok] {module} config={env.conf}\n"
                                    "account required pam_permit.so\n")
    e = env.env()
    e["LD_PRELOAD"] = f"{PAM_WRAPPER} {e['LD_PRELOAD']}"
    e.update(PAM_WRAPPER="1", PAM_WRAPPER_SERVICE_DIR=str(env.pamd))
    e.pop("PAMRUN_SYSLOG", None)
    subprocess.run(callgrind(out) + ["pamtester", "jcfed", "dave", "authenticate", "acct_mgmt"], env=e,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def profile_login(env, out):
    """Two logins, both profiled: the first with an empty metadata cache (discovery and keys
    fetched), the second with the cache it left, as most logins find it (bench rows 2 and 5)."""
    from emulator_proc import Emulator, default_fixture
    with Emulator(default_fixture()) as emu:
        emu.faults(interval=1)
        env.write_config(idp={"url": emu.authority(TENANT), "ca_file": emu.ca_path,
                              "http_timeout": "60", "login_timeout": "300"}, routing={})
        env.emulator = emu
        outs = [out, out.with_suffix(".warm")]
        for profile in outs:
            run = conftest.interactive_login(env, "alice",
                                             lambda code: emu.approve("alice@contoso.com", user_code=code),
                                             valgrind=callgrind(profile), timeout=600)
            if run.codes.get("auth") != "PAM_SUCCESS":
                raise SystemExit("the profiled login did not succeed:\n" + run.output[-3000:])
        return outs


def main():
    if not UNSTRIPPED.exists():
        raise SystemExit(f"{UNSTRIPPED} is missing: run `make module` first")
    base = pathlib.Path(tempfile.mkdtemp(prefix="jcfed-order-"))
    try:
        # valgrind cannot read the release module's DWARF; the symbol table is enough.
        module = base / "pam_jcfed.so"
        shutil.copy(UNSTRIPPED, module)
        subprocess.run(["strip", "--strip-debug", str(module)], check=True)
        conftest.MODULE = module
        order = []
        for label, profile in (("not-federated", lambda env, out: profile_not_federated(env, module, out)),
                               ("login", profile_login)):
            (base / label).mkdir()
            out = base / f"{label}.callgrind"
            outs = profile(PamEnv(base / label), out) or [out]
            # Sorted within each profile: the set is what matters (it ends up contiguous), and
            # first-seen order varies between runs (Swift's hashing is seeded per process). The
            # login's profiles go warm cache first: what most logins run sits together, before
            # what only a login with an empty cache adds (fetching and storing the documents).
            for o in reversed(outs):
                found = sorted(set(functions_in(o, module.name)) - set(order))
                print(f"{label} ({o.name}): {len(found)} more functions")
                order += found
        # Functions in a lump go last: the lump then follows the ordered functions instead of
        # cutting them in two (one ordered witness of Swift.o's .text put 1.4 MB of it in the
        # middle of the list, and half of a login's code on far-away pages).
        swift_core = archive_members(SWIFT_STATIC / "libswiftCore.a")
        lumped = functions_in_lumps(swift_core + archive_members(LIBSTDCXX))
        order = [f for f in order if f not in lumped] + [f for f in order if f in lumped]
        print(f"{sum(f in lumped for f in order)} functions in large shared sections, placed last")
        variables = small_runtime_variables(swift_core)
        order = variables + order
        print(f"{len(variables)} small runtime variables placed together at the start of .bss")
        header = ("# The Swift runtime's small variables (.bss), then the functions a login runs (not-federated\n"
                  "# path first, then the rest of a full login with a warm cache, then what a cold one adds), for\n"
                  "# lld --symbol-ordering-file. Generated by bench/symbol_order.py (`make symbol-order`).\n")
        ORDER.write_text(header + "\n".join(order) + "\n")
        print(f"wrote {ORDER} ({len(order)} functions)")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
