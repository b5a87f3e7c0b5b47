import os
import random
import sys

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")
# lego_reference.py sits beside the tests; make it importable under any rootdir.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True, scope="session")
def _nothing_written_into_the_working_folder():
    """The commands' default data root is runs/data under the working folder:
    a test that forgets --root (root=) would write the data there (and once
    into the repository, from inside tests/)."""
    runs = os.path.abspath("runs")
    before = os.path.exists(runs)
    yield
    if not before and os.path.exists(runs):
        raise AssertionError(f"a test wrote {runs}: give it --root (root=) under tmp_path")


@pytest.fixture(autouse=True)
def _one_thread():
    # The tensors of the tests are tiny: one thread is faster, and far faster
    # when the cores are shared (OpenMP threads spin-wait against other
    # processes). Commands that a test runs may change it: it is restored.
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


@pytest.fixture(autouse=True)
def _seeded():
    # Every test starts from the same random state (torch's, CUDA's, numpy's
    # and Python's): a draw that a test does not seed itself was taken from
    # the state the tests before it left, so its inputs changed with -k, a
    # file run alone or another order, and a failure did not reproduce.
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    yield


DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.fixture(params=DEVICES)
def device(request):
    """Every device the machine has: cpu always, cuda when available."""
    return torch.device(request.param)


@pytest.fixture
def cpu_ddp(monkeypatch):
    """Lightning's strategy for a test's run on two CPU processes. Forked
    from the test's process: a spawned one imports torch, Lightning and PyG
    anew (10-20 s on two shared cores, against well under one forked); the
    ranks' work and the gathering under test are the same. Spawned where
    fork is unavailable or CUDA is already initialised (a forked child
    cannot use it, and Lightning refuses to fork then).

    A forked rank keeps the test's one thread: Lightning would give it
    CPUs / 2 threads unless OMP_NUM_THREADS is set, and a forked child that
    opens OpenMP's thread pool after its parent had one of two or more
    threads (an earlier test's --threads 2) hangs."""
    import torch.multiprocessing as mp
    if "fork" in mp.get_all_start_methods() and not torch.cuda.is_initialized():
        monkeypatch.setenv("OMP_NUM_THREADS", "1")
        return "ddp_fork"
    return "ddp_spawn"


@pytest.fixture
def run_noise():
    """What a run prints besides its own output, while the test runs: the
    warnings of Lightning and torchmetrics (every one, not once per place)
    and Lightning's log lines of INFO and above, which go to stderr. Call it
    for the list of messages."""
    import logging
    import warnings

    records: list[str] = []

    class _Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    handler, logger = _Keep(logging.INFO), logging.getLogger("lightning.pytorch")
    logger.addHandler(handler)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield lambda: records + [
                str(w.message) for w in caught
                if any(f"{os.sep}{pkg}{os.sep}" in w.filename
                       for pkg in ("lightning", "lightning_fabric", "torchmetrics"))]
        finally:
            logger.removeHandler(handler)


def _flushes_subnormals() -> bool:
    return (torch.tensor([1e-39]) * 1.0).item() == 0.0


@pytest.fixture
def keeps_subnormals():
    """Turns subnormal floats back on after a test that compiles with
    inductor: torch 2.5's inductor loads its CPU kernels with flush-to-zero
    set for the whole process (``torch.compile(f)(x)`` there leaves
    ``1e-39 * 1.0 == 0``; 2.13 does not), which made later tests of
    subnormal degrees fail on the floor's full suite. What the library
    itself sets is checked elsewhere (test_side_effects); this only keeps
    torch's change from leaking into the tests that follow."""
    before = _flushes_subnormals()
    yield
    if not before and _flushes_subnormals():
        torch.set_flush_denormal(False)
