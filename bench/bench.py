#!/usr/bin/env python3
"""`make bench`: what a login costs, side by side with the floor, in one run.

Prints one markdown table and writes it to bench/results.md. Medians and ratios (these machines
are noisy). BENCH_QUICK=1 (used by `make test`) runs every row with few repetitions.
Rows are added by measure_* functions; each returns a list of (name, value, target, met).
"""
import os
import pathlib
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests/integration"))
from conftest import MODULE, PamEnv  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"
PAM_WRAPPER = "/usr/lib/x86_64-linux-gnu/libpam_wrapper.so"


def timed_child(cmd, env):
    """Wall seconds and peak RSS (KiB) of one child process. GNU time measures from a small
    parent: a child forked from Python would count Python's pages in its peak RSS."""
    with tempfile.NamedTemporaryFile("r") as out:
        start = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-q", "-o", out.name, "-f", "%e %M %x"] + cmd, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        fields = out.read().split()
    if len(fields) < 3:
        return 0.0, 0, p.returncode or 1
    return wall, int(fields[1]), int(fields[2])


def pamtester_env(env, pamd):
    e = env.env()
    e["LD_PRELOAD"] = f"{PAM_WRAPPER} {e['LD_PRELOAD']}"
    e["PAM_WRAPPER"] = "1"
    e["PAM_WRAPPER_SERVICE_DIR"] = str(pamd)
    e.pop("PAMRUN_SYSLOG", None)
    return e


def measure_not_federated(env):
    """Row 1: a user the routing policy does not cover, pam_jcfed then pam_permit, vs pam_permit."""
    env.write_config(routing={"groups": "federated"})
    (env.pamd / "floor").write_text("auth required pam_permit.so\naccount required pam_permit.so\n")
    (env.pamd / "jcfed").write_text(f"auth sufficient {MODULE} config={env.conf}\nauth required pam_permit.so\n"
                                    f"account [default=ignore success=ok] {MODULE} config={env.conf}\n"
                                    "account required pam_permit.so\n")
    e = pamtester_env(env, env.pamd)
    runs = 5 if QUICK else 40
    results = {}
    for svc in ("floor", "jcfed"):
        walls, rss = [], []
        for i in range(runs + 2):
            w, r, rc = timed_child(["pamtester", svc, "dave", "authenticate", "acct_mgmt"], e)
            if rc != 0:
                raise SystemExit(f"pamtester {svc} failed with {rc}")
            if i >= 2:  # warm-up
                walls.append(w)
                rss.append(r)
        results[svc] = (statistics.median(walls), max(rss))
    (fw, fr), (jw, jr) = results["floor"], results["jcfed"]
    ratio = jw / fw
    overhead_mb = (jr - fr) / 1024
    return [
        ("not-federated: pam_permit alone, median wall / peak RSS", f"{fw*1000:.1f} ms / {fr/1024:.1f} MB", "floor", None),
        ("not-federated: pam_jcfed + pam_permit, median wall / peak RSS", f"{jw*1000:.1f} ms / {jr/1024:.1f} MB", "", None),
        ("not-federated: wall-time ratio", f"{ratio:.2f}", "<= 2.0", ratio <= 2.0),
        ("not-federated: RSS overhead", f"{overhead_mb:.2f} MB", "<= 4 MB", overhead_mb <= 4),
    ]


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return f"{cpu}, {os.cpu_count()} cores; commit {commit or 'unknown'}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"


def main():
    rows = []
    base = pathlib.Path(tempfile.mkdtemp(prefix="jcfed-bench-"))
    try:
        env = PamEnv(base)
        rows += measure_not_federated(env)
        for extra in EXTRA_MEASURES:
            rows += extra(env)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    lines = [f"# jcfed benchmarks{' (quick mode)' if QUICK else ''}", "", f"Machine: {machine()}", "",
             "| measurement | value | target | met |", "|---|---|---|---|"]
    for name, value, target, met in rows:
        lines.append(f"| {name} | {value} | {target} | {'' if met is None else ('yes' if met else '**no**')} |")
    unmet = [name for name, _, _, met in rows if met is False]
    lines += ["", "Targets not met: " + (", ".join(unmet) if unmet else "none") + "."]
    text = "\n".join(lines) + "\n"
    print(text)
    out = ROOT / "bench" / ("results-quick.md" if QUICK else "results.md")
    out.write_text(text)
    return 0


# Further rows (full-login CPU, latency, validation throughput, concurrency) register here.
EXTRA_MEASURES = []

if __name__ == "__main__":
    sys.exit(main())
