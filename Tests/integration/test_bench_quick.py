"""`make bench` runs end to end: bench/bench.py in quick mode prints and writes every row.

Benchmarks never fail CI on a slow machine: this checks that each row was measured and that the
targets are stated, never that they are met."""
import os
import re
import subprocess
import sys

import pytest

from conftest import BUILD, ROOT

# The first words of every row bench/bench.py writes.
ROWS = [
    "1. not-federated: pam_permit alone",
    "1. not-federated: pam_jcfed + pam_permit",
    "1. not-federated: wall-time ratio",
    "1. not-federated: RSS overhead",
    "1. not-federated: of that, the module loaded but not called",
    "1. not-federated: a user's first decision",
    "1. not-federated: the smallest Swift module instead",
    "1. not-federated: a first decision beyond the smallest Swift module",
    "2. full login (auth + account), ca_file = the emulator's CA: CPU",
    "2. full login (auth + account), no ca_file: system trust store",
    "2. full login: same process with pam_permit",
    "2. full login: minimal C module instead",
    "2. full login: jcfed's CPU as a ratio to the minimal C module",
    "2. full login: the minimal C module after the smallest Swift module",
    "2. full login: of that CPU, loading libcurl",
    "2. full login: HTTP requests per login",
    "2. full login: discovery or keys fetched",
    "2. full login: TCP connections",
    "3. approval to PAM_SUCCESS, Enter pressed at once",
    "3. approval to PAM_SUCCESS, Enter pressed before approval",
    "4. `openssl speed",
    "4. TokenValidator.validate + OpenSSLVerifier",
    "4. validations/s as a share",
    "4. OpenSSLVerifier.verify alone",
    "5. 50 simultaneous logins (auth, warm cache): succeeded",
    "5. 50 simultaneous logins: approval to PAM_SUCCESS p50 / p99",
    "5. 50 simultaneous logins: peak total RSS",
    "5. 50 simultaneous logins: minimal C module instead",
    "5. 50 simultaneous logins: the minimal C module after the smallest Swift module",
]


def test_bench_quick_mode_writes_every_row():
    if not (BUILD / "jcfed-bench").exists():
        pytest.fail("build/jcfed-bench is missing: run `make build/jcfed-bench` (make test builds it)")
    if not (BUILD / "pam_swift_floor.so").exists():
        pytest.fail("build/pam_swift_floor.so is missing: run `make build/pam_swift_floor.so` (make test builds it)")
    out = ROOT / "bench" / "results-quick.md"
    if out.exists():
        out.unlink()
    env = dict(os.environ, BENCH_QUICK="1")
    p = subprocess.run([sys.executable, str(ROOT / "bench" / "bench.py")], env=env, capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    text = out.read_text()
    assert text.strip() in p.stdout
    assert "(quick mode)" in text and re.search(r"^Machine: .+ cores.+commit \S+", text, re.M), text[:500]
    table = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| measurement")]
    for row in ROWS:
        matches = [line for line in table if line.startswith("| " + row)]
        assert len(matches) == 1, (row, table)
        cells = [c.strip() for c in matches[0].strip("|").split("|")]
        assert len(cells) == 4 and cells[1], matches[0]
        # A target is either informational (empty "met") or stated as met or not.
        assert cells[3] in ("", "yes", "**no**"), matches[0]
    assert re.search(r"^Targets met: \d+ of \d+\. Targets not met: .+\.$", text, re.M), text[-1500:]
