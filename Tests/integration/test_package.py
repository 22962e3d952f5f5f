"""The Debian package (make deb, packaging/deb/): what it needs from glibc, lintian, and its whole
life in a throwaway Debian 12 root: install (nothing enabled), jcfed idp add against the Entra
emulator on this host, jcfed enable --services, a federated login through real libpam inside the
root, an upgrade while a login holds the old module mapped, remove (pam.d as before enable), purge.

The root is debootstrap --variant=minbase bookworm, kept as a tarball in /var/cache/jcfed-test/
(key: suite, mirror, packages and the ISO week), with the .debs jcfed depends on in its apt cache
so that `apt-get install ./jcfed.deb` resolves Depends without the network after the first run.
Every command in the root runs as `unshare --fork --pid --kill-child --mount-proc=ROOT/proc chroot ROOT`:
/proc is mounted in a private namespace and never left mounted on this host. The host's /etc is
never written (checked).

Also here: the libcurl fallback for CURLOPT_PROTOCOLS_STR (libcurl < 7.85, Ubuntu 22.04), through
a libcurl.so.4 wrapper that answers CURLE_UNKNOWN_OPTION to the _STR options like 7.81 does.
"""
import datetime
import hashlib
import os
import pathlib
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import BUILD, PAMRUN, PUBLIC_CLIENT, ROOT, TENANT, interactive_login

PACKAGING = ROOT / "packaging" / "deb"
CACHE_DIR = pathlib.Path(os.environ.get("JCFED_TEST_CACHE", "/var/cache/jcfed-test"))
SUITE = "bookworm"
# debootstrap's own default (Debian's mirror) unless JCFED_DEBIAN_MIRROR names another.
MIRROR = os.environ.get("JCFED_DEBIAN_MIRROR", "")
# In the apt cache of the root, not installed: apt-get install ./jcfed.deb installs them.
DEPENDS_DOWNLOAD = ["libcurl4", "libssl3", "libqrencode4"]
GLIBC_MAX = (2, 35)   # Ubuntu 22.04 LTS
CHROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
UPN = "alice@contoso.com"


# ---------------------------------------------------------------------------------------------
# glibc 2.35: what the module and the tool need from the C library

def glibc_needs(path):
    """The GLIBC_* version names in the ELF file's version needs (readelf -V)."""
    out = subprocess.run(["readelf", "-V", "-W", str(path)], capture_output=True, text=True, check=True).stdout
    needs = out.split(".gnu.version_r", 1)
    assert len(needs) == 2, f"{path}: no version needs section:\n{out}"
    return sorted(set(re.findall(r"Name: (GLIBC_[A-Z0-9_.]+)", needs[1])))


def too_new(names):
    bad = []
    for n in names:
        m = re.fullmatch(r"GLIBC_(\d+)\.(\d+)(?:\.\d+)?", n)
        if m is None or (int(m.group(1)), int(m.group(2))) > GLIBC_MAX:
            bad.append(n)   # GLIBC_ABI_DT_RELR, GLIBC_PRIVATE, or a newer version
    return bad


@pytest.mark.parametrize("name", ["pam_jcfed.so", "pam_jcfed_core.so", "jcfed"])
def test_binaries_need_at_most_glibc_2_35(name):
    path = BUILD / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make module tool` first")
    names = glibc_needs(path)
    assert names, f"{path}: no GLIBC_ version needs at all?"
    assert too_new(names) == [], f"{path} needs {too_new(names)}: it would not load on glibc 2.35 (Ubuntu 22.04)"
    dyn = subprocess.run(["readelf", "-d", "-W", str(path)], capture_output=True, text=True, check=True).stdout
    assert "(RELR)" not in dyn, f"{path} has DT_RELR (-z pack-relative-relocs): glibc >= 2.36 only"
    # libstdc++ (the tool links it dynamically): Ubuntu 22.04's has GLIBCXX_3.4.30 (GCC 12).
    out = subprocess.run(["readelf", "-V", "-W", str(path)], capture_output=True, text=True, check=True).stdout
    cxx = [tuple(int(x) for x in v.split(".")) for v in re.findall(r"Name: GLIBCXX_([0-9.]+)", out)]
    assert all(v <= (3, 4, 30) for v in cxx), f"{path} needs a libstdc++ newer than Ubuntu 22.04's: {max(cxx)}"


def test_the_glibc_check_catches_relr_and_newer_versions():
    assert too_new(["GLIBC_2.2.5", "GLIBC_2.35", "GLIBC_2.34"]) == []
    assert too_new(["GLIBC_2.36", "GLIBC_ABI_DT_RELR", "GLIBC_2.38", "GLIBC_PRIVATE"]) == \
        ["GLIBC_2.36", "GLIBC_ABI_DT_RELR", "GLIBC_2.38", "GLIBC_PRIVATE"]


# ---------------------------------------------------------------------------------------------
# libcurl < 7.85: CURLOPT_PROTOCOLS_STR unknown, CURLOPT_PROTOCOLS (bitmask) instead

OLD_CURL_C = r"""
/* libcurl.so.4 that behaves like libcurl 7.81 (Ubuntu 22.04) for the _STR protocol options:
 * CURLE_UNKNOWN_OPTION; everything else goes to the real library. Records the protocol options
 * set in $FAKECURL_LOG. FAKECURL_REFUSE_MASK=1: the bitmask options fail too. */
#define _GNU_SOURCE
#define CURL_DISABLE_TYPECHECK
#define CURL_DISABLE_DEPRECATION
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void *real(const char *name) {
    static void *h;
    if (!h) h = dlopen(REAL_CURL, RTLD_NOW | RTLD_LOCAL);
    return h ? dlsym(h, name) : NULL;
}
static void note(const char *what, long opt, long value) {
    const char *p = getenv("FAKECURL_LOG");
    FILE *f = p ? fopen(p, "a") : NULL;
    if (f) { fprintf(f, "%s %ld %ld\n", what, opt, value); fclose(f); }
}
CURLcode curl_global_init(long flags) { return ((CURLcode (*)(long))real("curl_global_init"))(flags); }
CURL *curl_easy_init(void) { return ((CURL *(*)(void))real("curl_easy_init"))(); }
void curl_easy_cleanup(CURL *h) { ((void (*)(CURL *))real("curl_easy_cleanup"))(h); }
void curl_easy_reset(CURL *h) { ((void (*)(CURL *))real("curl_easy_reset"))(h); }
CURLcode curl_easy_perform(CURL *h) { return ((CURLcode (*)(CURL *))real("curl_easy_perform"))(h); }
const char *curl_easy_strerror(CURLcode c) { return ((const char *(*)(CURLcode))real("curl_easy_strerror"))(c); }
struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s) {
    return ((struct curl_slist *(*)(struct curl_slist *, const char *))real("curl_slist_append"))(l, s);
}
void curl_slist_free_all(struct curl_slist *l) { ((void (*)(struct curl_slist *))real("curl_slist_free_all"))(l); }
CURLcode curl_easy_getinfo(CURL *h, CURLINFO i, ...) {
    va_list ap; va_start(ap, i); void *p = va_arg(ap, void *); va_end(ap);
    return ((CURLcode (*)(CURL *, CURLINFO, ...))real("curl_easy_getinfo"))(h, i, p);
}
/* Every option's argument is one long, pointer or curl_off_t: one 64-bit word on this ABI. */
CURLcode curl_easy_setopt(CURL *h, CURLoption o, ...) {
    va_list ap; va_start(ap, o); void *p = va_arg(ap, void *); va_end(ap);
    /* Options 7.81 does not know: the _STR protocol lists (7.85) and QUICK_EXIT (7.87). */
    if (o == CURLOPT_PROTOCOLS_STR || o == CURLOPT_REDIR_PROTOCOLS_STR || o == CURLOPT_QUICK_EXIT) {
        note("unknown", (long)o, 0);
        return CURLE_UNKNOWN_OPTION;
    }
    if (o == CURLOPT_PROTOCOLS || o == CURLOPT_REDIR_PROTOCOLS) {
        note("mask", (long)o, (long)p);
        if (getenv("FAKECURL_REFUSE_MASK")) return CURLE_UNKNOWN_OPTION;
    }
    return ((CURLcode (*)(CURL *, CURLoption, ...))real("curl_easy_setopt"))(h, o, p);
}
"""


@pytest.fixture(scope="module")
def old_curl_dir(tmp_path_factory):
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    m = re.search(r"libcurl\.so\.4 \([^)]*\) => (\S+)", out)
    if m is None:
        pytest.fail("libcurl.so.4 not found (apt-get install libcurl4)")
    d = tmp_path_factory.mktemp("old-curl")
    (d / "oldcurl.c").write_text(OLD_CURL_C)
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-Wall", f'-DREAL_CURL="{m.group(1)}"',
                    "-Wl,-soname,libcurl.so.4", "-o", str(d / "libcurl.so.4"), str(d / "oldcurl.c"), "-ldl"],
                   check=True)
    return d


def _curl_log(path):
    return path.read_text().splitlines() if path.exists() else []


def test_login_with_a_libcurl_older_than_7_85_uses_the_protocols_bitmask(idp, old_curl_dir, tmp_path):
    idp.emulator.faults(interval=1)
    log = tmp_path / "curl.log"
    run = interactive_login(idp, "alice", lambda code: idp.emulator.approve(UPN, user_code=code),
                            extra_env={"LD_LIBRARY_PATH": str(old_curl_dir), "FAKECURL_LOG": str(log)})
    assert run.codes == {"auth": "PAM_SUCCESS", "acct": "PAM_SUCCESS"}, run.output + run.log
    lines = _curl_log(log)
    # The wrapper was the libcurl in use, refused the _STR options, and got https (CURLPROTO_HTTPS = 2)
    # for requests and redirects instead.
    assert "unknown 10318 0" in lines and "unknown 10319 0" in lines, lines
    assert "mask 181 2" in lines and "mask 182 2" in lines, lines
    assert not [x for x in lines if x.startswith("mask") and not x.endswith(" 2")], lines


def test_a_libcurl_that_refuses_both_protocol_options_fails_closed(idp, old_curl_dir, tmp_path):
    # No way to restrict libcurl to https: no request is made at all.
    log = tmp_path / "curl.log"
    run = interactive_login(idp, "alice", None, max_enters=1,
                            extra_env={"LD_LIBRARY_PATH": str(old_curl_dir), "FAKECURL_LOG": str(log),
                                       "FAKECURL_REFUSE_MASK": "1"})
    assert run.codes["auth"] != "PAM_SUCCESS", run.output
    assert run.codes["auth"] in ("PAM_AUTHINFO_UNAVAIL", "PAM_SERVICE_ERR", "PAM_AUTH_ERR"), run.output
    assert "mask 181 2" in _curl_log(log)
    assert idp.emulator.requests() == [], "a request went out without the https-only restriction"


# ---------------------------------------------------------------------------------------------
# The package itself

def build_deb(outdir, version=None):
    """packaging/deb/build.sh on copies of build/pam_jcfed.so, its core and build/jcfed in outdir."""
    outdir.mkdir(parents=True, exist_ok=True)
    for name in ("pam_jcfed.so", "pam_jcfed_core.so", "jcfed"):
        if not (BUILD / name).exists():
            pytest.fail(f"build/{name} is missing: run `make module tool` first")
        shutil.copy2(BUILD / name, outdir / name)
    env = dict(os.environ)
    env.pop("VERSION", None)
    if version:
        env["VERSION"] = version
    p = subprocess.run(["bash", str(PACKAGING / "build.sh"), str(outdir)], env=env, capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    deb = pathlib.Path(p.stdout.strip().splitlines()[-1])
    assert deb.exists(), p.stdout
    return deb


def upstream_version():
    text = (ROOT / "Sources" / "JCFedCore" / "Version.swift").read_text()
    return re.search(r'static let string = "([^"]+)"', text).group(1)


@pytest.fixture(scope="module")
def debs(tmp_path_factory):
    d = tmp_path_factory.mktemp("debs")
    v1 = build_deb(d / "v1")
    v2 = build_deb(d / "v2", version=upstream_version() + "+upgrade1")
    return v1, v2


def deb_field(deb, field):
    return subprocess.run(["dpkg-deb", "-f", str(deb), field], capture_output=True, text=True, check=True).stdout.strip()


def test_deb_contents_and_depends(debs):
    deb, _ = debs
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
    multiarch = subprocess.run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], capture_output=True, text=True).stdout.strip()
    assert deb.name == f"jcfed_{upstream_version()}-1_{arch}.deb"
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
    files = {line.split()[-1].lstrip(".") for line in listing.splitlines()}
    owners = {line.split()[1] for line in listing.splitlines()}
    for f in [f"/usr/lib/{multiarch}/security/pam_jcfed.so", f"/usr/lib/{multiarch}/security/pam_jcfed_core.so",
              "/usr/sbin/jcfed",
              "/usr/share/man/man8/pam_jcfed.8.gz", "/usr/share/man/man8/jcfed.8.gz",
              "/usr/share/man/man5/jcfed.conf.5.gz", "/usr/share/pam-configs/jcfed", "/etc/jcfed/jcfed.conf",
              "/usr/share/doc/jcfed/copyright", "/usr/share/doc/jcfed/changelog.Debian.gz",
              "/usr/lib/systemd/system/jcfed-directory-sync.timer",
              "/usr/lib/systemd/system/jcfed-directory-sync.service"]:
        assert f in files, f"{f} not in the package:\n{listing}"
    assert owners == {"root/root"}, owners
    assert not [f for f in files if "wycheproof" in f.lower() or f.startswith("/usr/share/doc/jcfed/vectors")]
    depends = deb_field(deb, "Depends")
    for name in ["libc6 (>= ", "libpam0g", "libcurl4 (>= 7.19.4)", "libssl3 (>= 3.0.0)", "libqrencode4 (>= 4.0.0)",
                 "libpam-runtime"]:
        assert name in depends, depends
    m = re.search(r"libc6 \(>= ([0-9.]+)\)", depends)
    assert m and tuple(int(x) for x in m.group(1).split(".")[:2]) <= GLIBC_MAX, depends
    conffiles = subprocess.run(["dpkg-deb", "--ctrl-tarfile", str(deb)], capture_output=True, check=True).stdout
    assert b"conffiles" in conffiles
    assert "Ubuntu 22.04" in deb_field(deb, "Description")


def test_lintian_is_clean(debs):
    if shutil.which("lintian") is None:
        pytest.fail("lintian is missing: apt-get install lintian (make deps)")
    deb, _ = debs
    p = subprocess.run(["lintian", "--no-cfg", "--display-info", "--fail-on", "none", str(deb)],
                       capture_output=True, text=True, timeout=600)
    tags = [line for line in (p.stdout + p.stderr).splitlines() if re.match(r"^[EWI]: ", line)]
    assert tags == [], "\n".join(tags)


def test_dlopen_depends_check_refuses_a_symbol_newer_than_the_minimum(tmp_path):
    text = (PACKAGING / "dlopen-depends").read_text().replace("libssl3 (>= 3.0.0)", "libssl3 (>= 1.1.1)")
    (tmp_path / "dlopen-depends").write_text(text)
    p = subprocess.run(["bash", str(PACKAGING / "check-dlopen-depends.sh"), str(tmp_path / "dlopen-depends")],
                       capture_output=True, text=True)
    if "symbols missing" in p.stderr:
        pytest.skip("libssl3's symbols file is not installed here")
    assert p.returncode != 0 and "raise libssl3" in p.stderr, p.stderr


# ---------------------------------------------------------------------------------------------
# A throwaway Debian 12 root

def _run(cmd, timeout, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def root_tarball():
    """The cached bookworm root (made once a week, or when the packages or the mirror change)."""
    year, week, _ = datetime.date.today().isocalendar()
    key = hashlib.sha256(" ".join([SUITE, MIRROR, *DEPENDS_DOWNLOAD]).encode()).hexdigest()[:10]
    name = f"{SUITE}-minbase-{key}-{year}w{week:02d}.tar.zst"
    tarball = CACHE_DIR / name
    if tarball.exists():
        return tarball
    for tool in ("debootstrap", "zstd"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is missing (apt-get install debootstrap zstd, or make deps): no Debian root can be made")
    if os.geteuid() != 0:
        pytest.skip("making a Debian root (debootstrap, chroot) needs root")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    work = pathlib.Path(tempfile.mkdtemp(prefix="root-", dir=CACHE_DIR))
    try:
        target = work / "root"
        # Bounded: a first run downloads ~40 MB; a mirror that does not answer ends it.
        p = _run(["debootstrap", "--variant=minbase", SUITE, str(target)] + ([MIRROR] if MIRROR else []), timeout=900)
        if p.returncode != 0:
            pytest.skip(f"debootstrap {SUITE} {MIRROR or '(default mirror)'} failed (no mirror access?): "
                        + (p.stdout + p.stderr)[-600:])
        env = {"PATH": CHROOT_PATH, "DEBIAN_FRONTEND": "noninteractive", "LANG": "C.UTF-8"}
        for cmd in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--download-only", *DEPENDS_DOWNLOAD]):
            p = _run(["chroot", str(target), *cmd], timeout=600, env=env)
            if p.returncode != 0:
                pytest.skip(f"{' '.join(cmd)} in the new root failed (no mirror access?): " + (p.stdout + p.stderr)[-600:])
        tmp = work / name
        p = _run(["tar", "--zstd", "--numeric-owner", "-C", str(target), "-cf", str(tmp), "."], timeout=600)
        assert p.returncode == 0, p.stderr
        for old in CACHE_DIR.glob(f"{SUITE}-minbase-*.tar.zst"):
            old.unlink()
        os.replace(tmp, tarball)
        return tarball
    finally:
        shutil.rmtree(work, ignore_errors=True)


class Root:
    """An unpacked copy of the cached root; commands run chrooted with a private /proc."""

    def __init__(self, path):
        self.path = path

    def p(self, target):
        return self.path / target.lstrip("/")

    def cmd(self, args, extra_env=None):
        env = ["env", "-i", f"PATH={CHROOT_PATH}", "DEBIAN_FRONTEND=noninteractive", "LANG=C.UTF-8",
               "HOME=/root", "TERM=dumb"] + [f"{k}={v}" for k, v in (extra_env or {}).items()]
        return ["unshare", "--fork", "--pid", "--kill-child", f"--mount-proc={self.path / 'proc'}", "chroot", str(self.path)] + env + list(args)

    def run(self, *args, timeout=300, check=True, extra_env=None):
        p = _run(self.cmd(args, extra_env), timeout=timeout)
        if check:
            assert p.returncode == 0, f"{' '.join(args)} -> {p.returncode}\n{p.stdout}\n{p.stderr}"
        return p

    def pamd(self):
        d = self.p("/etc/pam.d")
        return {f.name: f.read_bytes() for f in sorted(d.iterdir()) if f.is_file()}

    def apt_install(self, deb):
        shutil.copy2(deb, self.p("/tmp") / deb.name)
        # The Depends are in apt's cache (root_tarball): no download, bounded anyway.
        return self.run("apt-get", "install", "-y", "-q", "-o", "Acquire::Retries=0",
                        "-o", "Acquire::http::Timeout=30", f"/tmp/{deb.name}", timeout=600)


@pytest.fixture
def debian_root():
    tarball = root_tarball()
    if os.geteuid() != 0:
        pytest.skip("chroot needs root")
    base = pathlib.Path(tempfile.mkdtemp(prefix="jcfed-root-", dir="/var/tmp"))
    path = base / "root"
    path.mkdir()
    p = _run(["tar", "--zstd", "--numeric-owner", "-C", str(path), "-xf", str(tarball)], timeout=600)
    assert p.returncode == 0, p.stderr
    host_pamd = {f.name: f.read_bytes() for f in pathlib.Path("/etc/pam.d").iterdir() if f.is_file()}
    try:
        yield Root(path)
    finally:
        # Nothing is mounted in the root on this host (each command had its own mount namespace).
        mounted = [line for line in open("/proc/mounts") if str(base) in line]
        assert not mounted, mounted
        shutil.rmtree(base, ignore_errors=True)
        assert host_pamd == {f.name: f.read_bytes() for f in pathlib.Path("/etc/pam.d").iterdir() if f.is_file()}, \
            "the host's /etc/pam.d changed"


class ChrootLogin:
    """pamrun inside the root, interactive: reads its output on a thread."""

    def __init__(self, root, service, user):
        self.proc = subprocess.Popen(
            root.cmd(["/usr/local/bin/pamrun", "-d", "/etc/pam.d", "-s", service, "-u", user, "-o", "auth+acct", "-i"],
                     {"PAMRUN_SYSLOG": "/tmp/pamrun-syslog.txt"}),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.lines = queue.Queue()
        self.output = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, pattern, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                break
            self.output.append(line)
            m = re.search(pattern, line)
            if m:
                return m
        raise AssertionError(f"no {pattern!r} from pamrun:\n" + "".join(self.output))

    def code(self):
        """Waits for the sign-in prompt; returns the user code shown."""
        return self.wait_for(r"enter the code ([A-Z0-9]+)").group(1)

    def finish(self, timeout=120):
        """Presses Enter (after the approval) and returns {'auth': ..., 'acct': ...}."""
        try:
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            self.proc.stdin.close()
        except (BrokenPipeError, ValueError):
            pass
        self.proc.wait(timeout=timeout)
        while True:
            try:
                line = self.lines.get(timeout=5)
            except queue.Empty:
                break
            if line is None:
                break
            self.output.append(line)
        codes = {}
        for line in self.output:
            if line.startswith("RESULT "):
                _, op, c = line.split(" ", 2)
                codes.setdefault(op, c.strip())
        return codes

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)


def host_pids_in(root):
    """pids (this host's numbering) of pamrun processes running in the root."""
    pids = []
    for d in pathlib.Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if os.readlink(d / "root") == str(root.path) and b"pamrun" in (d / "cmdline").read_bytes():
                pids.append(int(d.name))
        except OSError:
            pass
    return pids


def test_package_install_enable_login_upgrade_remove_purge(debian_root, debs, emulator):
    root = debian_root
    v1, v2 = debs
    module_target = "/usr/lib/" + subprocess.run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], capture_output=True,
                                                  text=True).stdout.strip() + "/security/pam_jcfed.so"
    emulator.control("POST", "/_control/reset", {})
    emulator.faults(interval=1)

    # Install: Depends resolved by apt, nothing enabled.
    pamd_before_install = root.pamd()
    root.apt_install(v1)
    assert root.run("dpkg-query", "-W", "-f", "${Status} ${Version}", "jcfed").stdout == \
        f"install ok installed {upstream_version()}-1"
    for lib in DEPENDS_DOWNLOAD:
        assert "install ok installed" in root.run("dpkg-query", "-W", "-f", "${Status}", lib).stdout
    assert root.pamd() == pamd_before_install, "installing the package changed /etc/pam.d"
    for f in (module_target, "/usr/sbin/jcfed", "/etc/jcfed/jcfed.conf", "/usr/share/pam-configs/jcfed"):
        assert root.p(f).exists(), f
    assert b"pam_jcfed" not in root.p("/etc/pam.d/common-auth").read_bytes()
    assert "not enabled" in root.run("jcfed", "status", check=False).stdout.lower() or \
        "disabled" in root.run("jcfed", "status", check=False).stdout.lower()

    # An account and a service to federate; pamrun drives real libpam in the root.
    root.run("useradd", "-m", "-u", "1001", "alice")
    root.p("/etc/pam.d/jcfed-test").write_text("# a test service\n@include common-auth\n@include common-account\n")
    shutil.copy2(PAMRUN, root.p("/usr/local/bin/pamrun"))
    shutil.copy2(emulator.ca_path, root.p("/etc/jcfed/emulator-ca.pem"))
    os.chmod(root.p("/etc/jcfed/emulator-ca.pem"), 0o644)
    pamd_before_enable = root.pamd()

    root.run("jcfed", "idp", "add", "--type", "azure", "--name", "Test Entra", "--url", emulator.authority(TENANT),
             "--client-id", PUBLIC_CLIENT, "--ca-file", "/etc/jcfed/emulator-ca.pem", timeout=120)
    root.run("jcfed", "enable", "--services", "jcfed-test", "--yes", timeout=120)
    after_enable = root.pamd()
    assert b"pam_jcfed.so" in after_enable["jcfed-test"]
    assert {k: v for k, v in after_enable.items() if k != "jcfed-test"} == \
        {k: v for k, v in pamd_before_enable.items() if k != "jcfed-test"}

    # A federated login through real libpam inside the root.
    login = ChrootLogin(root, "jcfed-test", "alice")
    try:
        emulator.approve(UPN, user_code=login.code())
        codes = login.finish()
    finally:
        login.kill()
    assert codes == {"auth": "PAM_SUCCESS", "acct": "PAM_SUCCESS"}, "".join(login.output)
    conf_before = root.p("/etc/jcfed/jcfed.conf").read_bytes()
    state_before = {str(f.relative_to(root.p("/var/lib/jcfed"))): f.read_bytes()
                    for f in root.p("/var/lib/jcfed").rglob("*") if f.is_file()}
    assert any("pin" in k for k in state_before), state_before

    # Upgrade while a login holds the old module mapped: that login still completes.
    inode_before = root.p(module_target).stat().st_ino
    held = ChrootLogin(root, "jcfed-test", "alice")
    try:
        code = held.code()
        pids = host_pids_in(root)
        assert pids, "the waiting pamrun was not found"
        root.apt_install(v2)
        assert root.run("dpkg-query", "-W", "-f", "${Version}", "jcfed").stdout == f"{upstream_version()}+upgrade1-1"
        assert root.p(module_target).stat().st_ino != inode_before, "the module file was not replaced"
        maps = "".join(pathlib.Path(f"/proc/{pid}/maps").read_text() for pid in pids)
        assert "pam_jcfed.so (deleted)" in maps, "the waiting login does not hold the old module"
        emulator.approve(UPN, user_code=code)
        codes = held.finish()
    finally:
        held.kill()
    assert codes == {"auth": "PAM_SUCCESS", "acct": "PAM_SUCCESS"}, "".join(held.output)
    assert root.p("/etc/jcfed/jcfed.conf").read_bytes() == conf_before, "the upgrade changed jcfed.conf"
    state_after = {str(f.relative_to(root.p("/var/lib/jcfed"))): f.read_bytes()
                   for f in root.p("/var/lib/jcfed").rglob("*") if f.is_file()}
    assert {k: v for k, v in state_after.items() if "pin" in k} == {k: v for k, v in state_before.items() if "pin" in k}
    assert root.pamd() == after_enable, "the upgrade changed /etc/pam.d"
    # And a new login loads the new module.
    login = ChrootLogin(root, "jcfed-test", "alice")
    try:
        emulator.approve(UPN, user_code=login.code())
        codes = login.finish()
    finally:
        login.kill()
    assert codes == {"auth": "PAM_SUCCESS", "acct": "PAM_SUCCESS"}, "".join(login.output)

    # Remove: every pam.d file as before enable; the configuration stays until purge. The caller's
    # JCFED_ROOT (the tool's --root) must not send jcfed disable elsewhere.
    root.p("/tmp/elsewhere").mkdir()
    root.run("apt-get", "remove", "-y", "-q", "jcfed", extra_env={"JCFED_ROOT": "/tmp/elsewhere"})
    assert root.pamd() == pamd_before_enable, "pam.d after remove differs from before enable"
    assert not root.p(module_target).exists() and not root.p("/usr/sbin/jcfed").exists()
    assert not root.p(module_target.replace("pam_jcfed.so", "pam_jcfed_core.so")).exists()
    assert not root.p("/run/jcfed").exists(), "remove leaves the module's not-federated records"
    assert root.p("/etc/jcfed/jcfed.conf").exists()

    # Purge: configuration, cache and state gone.
    root.run("apt-get", "purge", "-y", "-q", "jcfed")
    for d in ("/etc/jcfed", "/var/cache/jcfed", "/var/lib/jcfed"):
        assert not root.p(d).exists(), f"{d} left after purge"
    assert root.run("dpkg-query", "-W", "-f", "${Status}", "jcfed", check=False).stdout.strip() in ("", "unknown ok not-installed")


def test_system_wide_deny_survives_an_upgrade_and_remove_restores_common_auth(debian_root, debs, emulator):
    """jcfed enable (system-wide) writes /usr/share/pam-configs/jcfed for the offline policy; an
    upgrade replaces that file with the packaged one (offline: local-password). The postinst
    re-applies [pam]: otherwise the next pam-auth-update run, by any package, would turn
    offline = deny into a password fallback."""
    root = debian_root
    v1, v2 = debs
    emulator.control("POST", "/_control/reset", {})
    root.apt_install(v1)
    shutil.copy2(emulator.ca_path, root.p("/etc/jcfed/emulator-ca.pem"))
    os.chmod(root.p("/etc/jcfed/emulator-ca.pem"), 0o644)
    pamd_before_enable = root.pamd()
    root.run("jcfed", "idp", "add", "--type", "azure", "--name", "Test Entra", "--url", emulator.authority(TENANT),
             "--client-id", PUBLIC_CLIENT, "--ca-file", "/etc/jcfed/emulator-ca.pem", timeout=120)
    root.run("jcfed", "enable", "--offline", "deny", "--yes", timeout=120)
    profile = root.p("/usr/share/pam-configs/jcfed").read_bytes()
    assert b"offline: deny" in profile, profile
    enabled = root.pamd()
    assert b"pam_jcfed.so" in enabled["common-auth"]

    root.apt_install(v2)
    assert root.p("/usr/share/pam-configs/jcfed").read_bytes() == profile, "the upgrade lost offline = deny"
    # What any other package's postinst does: common-auth is rebuilt from the profiles.
    root.run("pam-auth-update", "--package")
    assert root.pamd() == enabled, "after the upgrade, pam-auth-update changed the stacks"

    # A pam_jcfed.so line typed by hand would point at a missing module after removal: refused.
    root.p("/etc/pam.d/by-hand").write_text("auth required pam_jcfed.so\n")
    p = root.run("apt-get", "remove", "-y", "-q", "jcfed", check=False)
    assert p.returncode != 0, p.stdout + p.stderr
    assert "pam_jcfed.so is still used in: /etc/pam.d/by-hand" in p.stderr, p.stderr
    assert root.p("/usr/sbin/jcfed").exists()
    root.p("/etc/pam.d/by-hand").unlink()
    root.run("apt-get", "remove", "-y", "-q", "jcfed")
    assert root.pamd() == pamd_before_enable, "pam.d after remove differs from before enable"
    root.run("pam-auth-update", "--package")
    assert root.pamd() == pamd_before_enable, "jcfed came back in a pam-auth-update run after remove"
    root.run("apt-get", "purge", "-y", "-q", "jcfed")
    for d in ("/etc/jcfed", "/var/cache/jcfed", "/var/lib/jcfed"):
        assert not root.p(d).exists(), f"{d} left after purge"
