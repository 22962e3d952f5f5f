"""Sources/CMath: the libm functions the static Swift standard library refers to, defined in the
module. jcfed_libm.c resolves them in libm.so.6 on first call (so loading the module loads no
libm): built here into a small C program without -lm, every kind of signature gives libm's
answer (as Python's math module computes it), and the first call is what loads libm.
jcfed_rounding.c computes the eight that round to an integer itself (a federated login calls
ceil and round, and then loads no libm): bit for bit libm's results, and libm never loaded."""
import math
import pathlib
import shutil
import struct
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = ROOT / "Sources" / "CMath" / "jcfed_libm.c"
ROUNDING = ROOT / "Sources" / "CMath" / "jcfed_rounding.c"
# The loader every first-use library shares (jcfed_loader.h) drops load-time tables through this.
LOAD_TIME_TABLES = ROOT / "Sources" / "COpenSSL" / "jcfed_relocations.c"

# Both programs' start: the headers, and whether libm.so is among the loaded objects.
LIBM_MAPPED = r"""
#include <stdio.h>
#include <math.h>
#include <link.h>
#include <string.h>

static int libm_mapped(void) {
    for (struct link_map *map = _r_debug.r_map; map; map = map->l_next)
        if (strstr(map->l_name, "libm.so")) return 1;
    return 0;
}
"""

PROGRAM = LIBM_MAPPED + r"""
#include "jcfed_libm.h"

int main(void) {
    printf("mapped_before %d\n", libm_mapped());
    volatile double x = 0.7, y = 2.5;
    volatile float xf = 0.7f, yf = 2.5f;
    volatile long double xl = 0.7L;
    int sign = 0, quo = 0;
    printf("sin %a\n", sin(x));
    printf("log %a\n", log(y));
    printf("fmod %a\n", fmod(y, x));
    printf("fma %a\n", fma(x, y, x));
    printf("powf %a\n", (double)powf(xf, yf));
    printf("cbrtl %a\n", (double)cbrtl(xl));
    double lg = lgamma_r(y, &sign);
    printf("lgamma_r %a %d\n", lg, sign);
    double rq = remquo(y, x, &quo);
    printf("remquo %a %d\n", rq, quo);
    printf("jn %a\n", jn(2, y));
    printf("nanf %d\n", isnan(nanf("")) ? 1 : 0);
    printf("loaded %d mapped_after %d\n", jcfed_libm_loaded(), libm_mapped());
    return 0;
}
"""


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    if shutil.which("cc") is None:
        pytest.skip("no C compiler")
    work = tmp_path_factory.mktemp("libm")
    (work / "main.c").write_text(PROGRAM)
    exe = work / "libm-test"
    # No -lm: the definitions come from jcfed_libm.c, libm from its first call.
    subprocess.run(["cc", "-O1", "-fno-builtin", "-Wall", "-Wno-unused-result",
                    "-I", str(ROOT / "Sources" / "CMath" / "include"), "-I", str(ROOT / "Sources" / "COpenSSL" / "include"),
                    "-o", str(exe), str(work / "main.c"), str(SOURCE), str(ROUNDING), str(LOAD_TIME_TABLES),
                    "-ldl", "-lpthread"], check=True)
    needed = subprocess.run(["readelf", "-d", str(exe)], capture_output=True, text=True, check=True).stdout
    assert "libm.so" not in needed, needed
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True, timeout=30).stdout
    return dict((line.split(" ", 1)[0], line.split(" ", 1)[1]) for line in out.splitlines())


def value(text):
    return float.fromhex(text.split()[0])


def test_libm_is_loaded_by_the_first_call_only(program):
    assert program["mapped_before"] == "0"
    assert program["loaded"] == "1 mapped_after 1"


@pytest.mark.parametrize("name, expected", [
    ("sin", math.sin(0.7)),
    ("log", math.log(2.5)),
    ("fmod", math.fmod(2.5, 0.7)),
    ("fma", 0.7 * 2.5 + 0.7),
    ("lgamma_r", math.lgamma(2.5)),
    ("remquo", math.remainder(2.5, 0.7)),
])
def test_double_functions_give_libms_answers(program, name, expected):
    assert value(program[name]) == pytest.approx(expected, rel=1e-14, abs=1e-300)


def test_float_long_double_and_other_signatures(program):
    f32 = lambda v: struct.unpack("f", struct.pack("f", v))[0]  # noqa: E731
    assert value(program["powf"]) == pytest.approx(f32(0.7) ** f32(2.5), rel=1e-6)
    assert value(program["cbrtl"]) == pytest.approx(0.7 ** (1 / 3), rel=1e-15)
    assert program["lgamma_r"].split()[1] == "1"
    assert program["remquo"].split()[1] in ("3", "4")  # the low bits of the quotient 2.5 / 0.7
    assert value(program["jn"]) == pytest.approx(0.446059058439079, rel=1e-12)  # J2(2.5)
    assert program["nanf"] == "1"


ROUNDING_PROGRAM = LIBM_MAPPED + r"""
/* Edges: signed zeros, halves, the largest doubles and floats with a fraction, the first
 * without, subnormals, huge values, infinities and NaN. */
static const double doubles[] = {
    0.0, -0.0, 0.3, -0.3, 0.5, -0.5, 0.7, -0.7, 1.0, -1.0, 1.5, -1.5, 2.5, -2.5, 3.5, -3.5,
    0.49999999999999994, -0.49999999999999994, 0x1.fffffffffffffp-2, 4503599627370495.5,
    -4503599627370495.5, 4503599627370496.0, -4503599627370496.0, 9007199254740991.0,
    9007199254740993.0, 0x1p63, -0x1p63, 1e300, -1e300, 4.9e-324, -4.9e-324, 2.2250738585072014e-308,
    1e-300, -1e-300, 123456.789, -123456.789, 1e15 + 0.5, 16.0 / 0.75, INFINITY, -INFINITY, NAN, -NAN,
};
static const float floats[] = {
    0.0f, -0.0f, 0.3f, -0.3f, 0.5f, -0.5f, 0.7f, -0.7f, 1.5f, -1.5f, 2.5f, -2.5f, 0.49999997f,
    -0.49999997f, 8388607.5f, -8388607.5f, 8388608.0f, -8388608.0f, 16777215.0f, 0x1p31f, -0x1p31f,
    0x1p40f, 3e38f, -3e38f, 1e-45f, -1e-45f, 123.456f, -123.456f, INFINITY, -INFINITY, NAN, -NAN,
};

int main(void) {
    for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
        volatile double x = doubles[i];
        printf("%a: %a %a %a %a\n", x, ceil(x), floor(x), trunc(x), round(x));
    }
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++) {
        volatile float x = floats[i];
        printf("%a: %a %a %a %a\n", (double)x, (double)ceilf(x), (double)floorf(x), (double)truncf(x),
               (double)roundf(x));
    }
    printf("libm_mapped %d\n", libm_mapped());
    return 0;
}
"""


def test_rounding_is_libms_bit_for_bit_without_libm(tmp_path):
    """ceil, floor, trunc and round (double and float) from jcfed_rounding.c: the same bits as
    libm's own, for every edge, and libm.so.6 never mapped."""
    if shutil.which("cc") is None:
        pytest.skip("no C compiler")
    (tmp_path / "main.c").write_text(ROUNDING_PROGRAM)
    ours, libms = tmp_path / "ours", tmp_path / "libm"
    flags = ["cc", "-O1", "-fno-builtin", "-Wall", "-I", str(ROOT / "Sources" / "CMath" / "include")]
    subprocess.run(flags + ["-o", str(ours), str(tmp_path / "main.c"), str(ROUNDING)], check=True)
    subprocess.run(flags + ["-o", str(libms), str(tmp_path / "main.c"), "-lm"], check=True)
    assert "libm.so" not in subprocess.run(["readelf", "-d", str(ours)], capture_output=True, text=True).stdout
    got = subprocess.run([str(ours)], capture_output=True, text=True, check=True, timeout=30).stdout.splitlines()
    want = subprocess.run([str(libms)], capture_output=True, text=True, check=True, timeout=30).stdout.splitlines()
    assert got[-1] == "libm_mapped 0"
    assert want[-1] == "libm_mapped 1"
    assert len(got) == len(want) > 60
    for ours_line, libm_line in zip(got[:-1], want[:-1]):
        assert ours_line == libm_line
