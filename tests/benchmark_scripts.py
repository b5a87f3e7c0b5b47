"""Loads a script of ``benchmarks/`` as a module, so that tests can call its
functions: the scripts are not a package (they run as ``python
benchmarks/<name>.py``)."""
import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_benchmark(name: str):
    """``benchmarks/<name>.py``, executed as a fresh module."""
    spec = importlib.util.spec_from_file_location(
        f"{name}_bench", os.path.join(ROOT, "benchmarks", f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
