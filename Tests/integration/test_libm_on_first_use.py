"""Sources/CMath/jcfed_libm.c: the libm functions the static Swift standard library refers to,
defined in the module and resolved in libm.so.6 on first call (so loading the module loads no
libm). Built here into a small C program without -lm: every kind of signature gives libm's
answer (as Python's math module computes it), and the first call is what loads libm."""
import math
import pathlib
import shutil
import struct
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = ROOT / "Sources" / "CMath" / "jcfed_libm.c"

PROGRAM = r"""
#include <stdio.h>
#include <math.h>
#include <link.h>
#include <string.h>
#include "jcfed_libm.h"

static int libm_mapped(void) {
    struct link_map *map = NULL;
    for (map = _r_debug.r_map; map; map = map->l_next)
        if (strstr(map->l_name, "libm.so")) return 1;
    return 0;
}

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
                    "-o", str(exe), str(work / "main.c"), str(SOURCE), "-ldl", "-lpthread"], check=True)
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
