"""Library calls leave the process as they found it: warning filters, torch
threads, the matplotlib backend, environment variables, logger levels and
the scatter backend. The CLI sets its own settings around one command and
restores them."""
import logging
import os
import warnings

import matplotlib
import pytest
import torch

from pyg_fusion import _scatter
from pyg_fusion.cli import main
from pyg_fusion.experiments.data import DataConfig, load_data
from pyg_fusion.methods import build_model
from pyg_fusion.training.node import fit_node
from pyg_fusion.visualize import plot_adjacency

from test_training_node import _toy_graph

LOGGERS = ("", "lightning", "lightning.pytorch", "lightning.fabric", "pyg_fusion",
           "lightning.pytorch.utilities.rank_zero", "lightning.fabric.utilities.rank_zero",
           "lightning.pytorch.accelerators.cuda")


def _state() -> dict:
    return {"warnings": list(warnings.filters), "threads": torch.get_num_threads(),
            "backend": matplotlib.get_backend(), "rc_backend": matplotlib.rcParams["backend"],
            "environ": dict(os.environ),
            "levels": {n: logging.getLogger(n).level for n in LOGGERS},
            "filters": {n: list(logging.getLogger(n).filters) for n in LOGGERS},
            "scatter": _scatter.get_scatter_backend(),
            # torch's safe_globals context drops its classes on exit, even
            # those registered for the process before (PyG's, ours)
            "safe_globals": list(torch.serialization.get_safe_globals()),
            "deterministic": torch.are_deterministic_algorithms_enabled()}


def _assert_unchanged(before: dict) -> None:
    after = _state()
    for key, value in before.items():
        assert after[key] == value, f"{key} changed: {value!r} -> {after[key]!r}"


def test_library_calls_change_no_process_state(tmp_path):
    torch.set_num_threads(3)  # not the CLI's default of 1: a reset would show
    before = _state()
    data = _toy_graph()
    torch.manual_seed(0)
    model = build_model("lego", "node", {"a": 4, "b": 3}, num_classes=3, k=5)
    r = fit_node(model, data, out_dir=tmp_path / "run", epochs=2, eval_every=1,
                 progress=False, checkpoint=True)
    assert 0.0 <= r["test_acc"] <= 1.0
    fig = plot_adjacency({"R": torch.rand(5, 5)}, path=tmp_path / "adj.png")
    assert (tmp_path / "adj.png").stat().st_size > 0 and fig is not None
    with _scatter.scatter_backend("native"):
        assert _scatter.get_scatter_backend() == "native"
    td = load_data(DataConfig("synthetic-vad", str(tmp_path / "data"), num_segments=8))
    assert td.task == "vad" and len(td.train) > 0
    td = load_data(DataConfig("synthetic-vad", str(tmp_path / "data"), num_segments=8))
    assert len(td.train) > 0       # read back from the processed files
    _assert_unchanged(before)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_gpu_run_changes_no_process_state(tmp_path):
    """Lightning's CUDA setup sets CUDA_DEVICE_ORDER and the current device
    for the process: they are put back after the run."""
    model = build_model("graph-mean", "node", {"a": 4, "b": 3}, num_classes=3, k=5)
    fit_node(model, _toy_graph(), out_dir=tmp_path / "warm", epochs=1, progress=False,
             checkpoint=False, accelerator="gpu")  # CUDA initialised, as in a session
    before = {**_state(), "device": torch.cuda.current_device()}
    fit_node(model, _toy_graph(), out_dir=tmp_path / "run", epochs=2, eval_every=1,
             progress=False, checkpoint=False, accelerator="gpu")
    assert torch.cuda.current_device() == before.pop("device")
    _assert_unchanged(before)


def test_a_cli_command_restores_what_it_sets(tmp_path):
    torch.set_num_threads(3)
    before = _state()
    assert main(["train", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
                 "--num-segments", "8", "--no-progress", "--method", "lego",
                 "--init", "product",  # one start: init auto's second sets nothing more
                 "--epochs", "1", "--threads", "2", "--out", str(tmp_path / "out")]) == 0
    _assert_unchanged(before)


def test_training_runs_hide_no_warnings(tmp_path, monkeypatch):
    """run_method filters no warnings of its own: one raised while training
    reaches the caller (only Lightning's advice is filtered, inside
    build_trainer)."""
    import pyg_fusion.training.vad_fit as vad
    from pyg_fusion.experiments.run import run_method

    real = vad.fit_vad

    def warning_fit(*args, **kwargs):
        warnings.warn("a warning raised while training", UserWarning)
        return real(*args, **kwargs)

    monkeypatch.setattr(vad, "fit_vad", warning_fit)
    td = load_data(DataConfig("synthetic-vad", str(tmp_path / "data"), num_segments=8))
    with pytest.warns(UserWarning, match="raised while training"):
        run_method(td, "lego", 0, tmp_path / "run", options={"epochs": 1}, progress=False,
                   checkpoint=False)


def test_ctrl_c_in_training_is_a_keyboard_interrupt_and_sigint_comes_back(tmp_path, capsys,
                                                                          monkeypatch):
    """Lightning answers Ctrl-C with sys.exit(1) and ignores SIGINT from then
    on: a library call gets the KeyboardInterrupt, the process's SIGINT
    handler is put back, and the CLI says so in one line with exit 130."""
    import signal

    from lightning.pytorch.callbacks import Callback

    class CtrlC(Callback):
        def on_train_epoch_start(self, trainer, pl_module):
            raise KeyboardInterrupt

    import pyg_fusion.training.trainer as tr
    handler = signal.getsignal(signal.SIGINT)
    real = tr.build_trainer

    def interrupted_trainer(*args, **kwargs):
        kwargs["callbacks"] = [*kwargs.get("callbacks", []), CtrlC()]
        return real(*args, **kwargs)

    data = _toy_graph()
    model = build_model("lego", "node", {"a": 4, "b": 3}, num_classes=3, k=5)
    import pyg_fusion.training.node as node
    monkeypatch.setattr(node, "build_trainer", interrupted_trainer)
    with pytest.raises(KeyboardInterrupt):
        fit_node(model, data, out_dir=tmp_path / "run", epochs=2, progress=False,
                 checkpoint=False)
    assert signal.getsignal(signal.SIGINT) is handler
    out = tmp_path / "cli"
    assert main(["compare", "--dataset", "digits", "--method", "graph-mean", "--epochs", "1",
                 "--no-progress", "--out", str(out), "--root", str(tmp_path / "data")]) == 130
    err = capsys.readouterr().err
    assert err == f"pyg-fusion compare: interrupted; nothing had finished, {out} holds no " \
                  f"result of this run\n"
    assert signal.getsignal(signal.SIGINT) is handler


def test_sigterm_in_training_is_told_apart_from_ctrl_c(tmp_path, capsys, monkeypatch):
    """Lightning answers SIGTERM (a scheduler's preemption) with its
    SIGTERMException, a SystemExit: a library call gets a TrainingTerminated
    (a KeyboardInterrupt, so finished runs are kept as on Ctrl-C) and the
    CLI exits with 143, the shell's code of a SIGTERM, not Ctrl-C's 130."""
    from lightning.pytorch.callbacks import Callback
    from lightning.pytorch.utilities.exceptions import SIGTERMException

    import pyg_fusion.training.node as node
    import pyg_fusion.training.trainer as tr

    class Sigterm(Callback):
        def on_train_epoch_start(self, trainer, pl_module):
            # what Lightning's own SIGTERM handler records, then raises
            trainer._signal_connector.received_sigterm = True
            raise SIGTERMException(1)

    real = tr.build_trainer

    def terminated_trainer(*args, **kwargs):
        kwargs["callbacks"] = [*kwargs.get("callbacks", []), Sigterm()]
        return real(*args, **kwargs)

    monkeypatch.setattr(node, "build_trainer", terminated_trainer)
    model = build_model("lego", "node", {"a": 4, "b": 3}, num_classes=3, k=5)
    with pytest.raises(tr.TrainingTerminated):
        fit_node(model, _toy_graph(), out_dir=tmp_path / "run", epochs=2, progress=False,
                 checkpoint=False)
    out = tmp_path / "cli"
    assert main(["compare", "--dataset", "digits", "--method", "graph-mean", "--epochs", "1",
                 "--no-progress", "--out", str(out), "--root", str(tmp_path / "data")]) == 143
    err = capsys.readouterr().err
    assert err == f"pyg-fusion compare: terminated (SIGTERM); nothing had finished, {out} " \
                  f"holds no result of this run\n"
