"""pyg_fusion.datasets loads each dataset on first use: a module of it
imported first must import on its own. datasets.taskonomy imported first
(translate predict) met datasets.translation half made, whose last line
re-exported TaskonomyFolder from taskonomy: ImportError, a traceback."""
import subprocess
import sys


def test_the_folder_reader_imports_first():
    code = ("from pyg_fusion.datasets.taskonomy import TaskonomyFolder\n"
            "from pyg_fusion.datasets.translation import TaskonomyFolder as T, read_image\n"
            "import pyg_fusion.datasets as D\n"
            "assert T is TaskonomyFolder is D.TaskonomyFolder and callable(read_image)\n"
            "print('ok')")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert run.stdout == "ok\n", run.stderr[-2000:]
