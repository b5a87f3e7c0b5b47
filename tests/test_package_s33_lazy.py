"""Every subpackage of pyg_fusion is an attribute of the package, loaded on
first use: ``pyg_fusion.experiments`` and ``pyg_fusion.specs`` raised
AttributeError until imported by name."""
import pkgutil
import subprocess
import sys

import pyg_fusion


def test_every_subpackage_is_a_lazy_attribute():
    packages = {m.name for m in pkgutil.iter_modules(pyg_fusion.__path__)
                if m.ispkg}
    assert packages <= set(pyg_fusion.__all__)
    code = ("import pyg_fusion, sys; "
            f"[getattr(pyg_fusion, n) for n in {sorted(packages)!r}]; "
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_importing_the_package_loads_no_subpackage():
    code = ("import sys, pyg_fusion; "
            "print(sorted(m for m in sys.modules if m.startswith('pyg_fusion.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['pyg_fusion._notices']"
