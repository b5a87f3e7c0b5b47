"""User errors that need neither torch nor Lightning were found only after
their imports (seconds): plot's flags that KIND does not read and an --out
of no figure format (checked in plot's run, after importing
pyg_fusion.visualize). Each is now found by the command's ``check``, with
the same line. One interpreter runs them all and says whether torch was
imported."""
import subprocess
import sys

_SCRIPT = """
import contextlib, io, json, shlex, sys
from pyg_fusion.cli import main
said = []
for argv in sys.argv[1:]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main(shlex.split(argv))
    said.append([status, err.getvalue()])
print(json.dumps({"said": said, "torch": "torch" in sys.modules}))
"""


def test_user_errors_are_refused_before_torch(tmp_path):
    view = tmp_path / "a.csv"
    view.write_text("1,2\n")
    (tmp_path / "root" / "raw").mkdir(parents=True)
    out = tmp_path / "out"
    cases = {
        f"plot operator --dataset digits --out {tmp_path}/f.png":
            "pyg-fusion plot: error: operator does not read --dataset; it reads --checkpoint, "
            "--input\n",
        f"plot adjacency --dataset digits --out {tmp_path}/f.jpg":
            f"pyg-fusion plot: error: --out must name a .png, .pdf, .svg file, got "
            f"'{tmp_path}/f.jpg'\n",
    }
    run = subprocess.run([sys.executable, "-c", _SCRIPT, *cases], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    import json
    done = json.loads(run.stdout)
    assert done["said"] == [[2, line] for line in cases.values()]
    assert not done["torch"]
    assert not out.exists() and not (tmp_path / "f.png").exists()
