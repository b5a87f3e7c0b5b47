"""A console that does not take UTF-8 (``LC_ALL=C``, ``PYTHONIOENCODING=ascii``)
still gets the command line's help and tables, in ASCII, and files are UTF-8
whatever the locale."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONIOENCODING", "PYTHONUTF8", "LANG", "LC_ALL", "LC_CTYPE")}
    env["PYTHONPATH"] = ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")
    return dict(env, **extra)


def test_help_on_an_ascii_console_writes_plus_minus():
    # compare's help says "mean ± std": an ascii stdout made it a UnicodeEncodeError
    run = subprocess.run([sys.executable, "-m", "pyg_fusion.cli", "compare", "--help"],
                         env=_env(PYTHONIOENCODING="ascii"), capture_output=True)
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    out = run.stdout.decode("ascii")
    assert "print a mean +- std table" in " ".join(out.split())
    assert run.stderr == b""


def test_console_escapes_what_it_cannot_show():
    code = ("import sys; from pyg_fusion.cli.__main__ import _console_streams; "
            "_console_streams(); print('0.51 \\u00b1 0.01 N \\u2248 3 caf\\u00e9')")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         env=_env(LC_ALL="C", PYTHONUTF8="0"))
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    assert run.stdout == b"0.51 +- 0.01 N ~ 3 caf\\xe9\n"


def test_text_files_are_utf8_in_a_c_locale(tmp_path):
    # results.txt was written in the locale's encoding: LC_ALL=C lost it to the table's ±
    path = tmp_path / "results.txt"
    code = ("import sys; from pyg_fusion._files import write_text; "
            "write_text(sys.argv[1], '0.51 \\u00b1 0.01\\n')")
    run = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         env=_env(LC_ALL="C", PYTHONUTF8="0"))
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    assert path.read_bytes() == "0.51 ± 0.01\n".encode("utf-8")


def test_json_inputs_are_read_as_utf8_in_a_c_locale(tmp_path):
    # plot's inputs, the figures' JSON and the benchmarks' were read in the locale's encoding
    path = tmp_path / "in.json"
    path.write_bytes('{"rows": [], "method": "caf\u00e9 \u00b1"}'.encode("utf-8"))
    code = ("import sys; from pyg_fusion._files import read_json as _read_json; "
            "from pyg_fusion.visualize.benchmark import load_benchmark; "
            "sys.path.insert(0, 'benchmarks'); import _cli; "
            "print(ascii([_read_json(sys.argv[1]), load_benchmark(sys.argv[1]), "
            "_cli.read_json(None, sys.argv[1])]))")
    run = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         cwd=ROOT, env=_env(LC_ALL="C", PYTHONUTF8="0"))
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    one = "{'rows': [], 'method': 'caf\\xe9 \\xb1'}"
    assert run.stdout.decode("ascii").strip() == f"[{one}, {one}, {one}]"
