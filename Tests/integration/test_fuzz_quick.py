"""The libFuzzer targets (AddressSanitizer) run a short fixed number of inputs each in
`make test`; `make fuzz` runs them for as long as asked."""
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_fuzz_targets_quick():
    p = subprocess.run(["bash", str(ROOT / "Tests/fuzz/run.sh"), "quick"], cwd=ROOT,
                       capture_output=True, text=True, timeout=1800)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-4000:]
    assert "FAILED" not in p.stdout
