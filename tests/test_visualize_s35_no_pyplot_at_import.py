"""Importing pyg_fusion and its figures imports no pyplot and picks no
matplotlib backend: visualize/_common.py and sensitivity.py imported pyplot at
module top, so ``import pyg_fusion.visualize`` made pyplot's choice (and its
import cost) for a user who had not yet called ``matplotlib.use``."""
import os
import pathlib
import re
import subprocess
import sys

import pyg_fusion

PACKAGE = pathlib.Path(pyg_fusion.__file__).parent


def test_importing_every_figure_module_imports_no_pyplot_and_sets_no_backend():
    code = (
        "import importlib, os, pkgutil, sys\n"
        "import pyg_fusion, pyg_fusion.visualize\n"
        "for m in pkgutil.iter_modules(pyg_fusion.visualize.__path__):\n"
        "    importlib.import_module('pyg_fusion.visualize.' + m.name)\n"
        "import matplotlib\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
        "assert matplotlib.rcParams._get_backend_or_none() is None, 'a backend was set'\n"
        "assert 'MPLBACKEND' not in os.environ, 'MPLBACKEND set'\n")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr


def test_no_library_module_sets_a_backend():
    setting = re.compile(r"\b(matplotlib|mpl)\.use\(|switch_backend\(|rcParams\[.backend.\]\s*=")
    found = [f"{p.relative_to(PACKAGE)}:{i}" for p in PACKAGE.rglob("*.py")
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if setting.search(line)]
    assert found == []
