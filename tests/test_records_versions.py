"""Records and checkpoints hold the versions that made them (pyg_fusion,
torch, torch_geometric, numpy, Python), an added key that every reader of
older files and of newer ones takes in its stride."""
import contextlib
import io
import json
import platform

import numpy as np
import pytest
import torch
import torch_geometric
import yaml

import pyg_fusion
from pyg_fusion.cli import main
from pyg_fusion.experiments._resume import reusable_runs
from pyg_fusion._versions import library_versions
from test_checkpoint_fingerprint import train_tables

VERSIONS = {"pyg_fusion": pyg_fusion.__version__, "torch": str(torch.__version__),
            "torch_geometric": torch_geometric.__version__, "numpy": np.__version__,
            "python": platform.python_version()}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tables run of `pyg-fusion train`: its folder and checkpoint."""
    return train_tables(tmp_path_factory.mktemp("versions"))


def _evaluate(ckpt, out):
    """``(exit status, stderr, records)`` of ``pyg-fusion evaluate``."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["evaluate", "--checkpoint", str(ckpt), "--no-progress", "--out", str(out)])
    return code, err.getvalue(), json.loads((out / "results.json").read_text())


def test_records_and_checkpoints_hold_the_versions_that_made_them(trained, tmp_path):
    run, ckpt = trained
    assert library_versions() == VERSIONS
    assert all(type(v) is str for v in library_versions().values())  # weights_only loads them
    records = json.loads((run / "results.json").read_text())
    assert [r["metric"] for r in records] == ["accuracy", "val_accuracy", "params",
                                              "time_per_epoch_s"]
    assert all(r["versions"] == VERSIONS for r in records)
    config = torch.load(ckpt, weights_only=True)["hyper_parameters"]["config"]
    assert config["versions"] == VERSIONS
    code, err, evaluated = _evaluate(ckpt, tmp_path / "ev")
    assert code == 0 and err == ""
    assert [r["versions"] for r in evaluated] == [VERSIONS, VERSIONS]
    assert evaluated[0]["values"] == records[0]["values"]


def test_a_checkpoint_of_other_versions_or_of_none_evaluates_as_before(trained, tmp_path):
    run, ckpt = trained
    acc = json.loads((run / "results.json").read_text())[0]["values"]
    ckpt_obj = torch.load(ckpt, weights_only=True)
    other = {"pyg_fusion": "9.9.9", "torch": "3.0.0", "torch_geometric": "3.0.0",
             "numpy": "3.0.0", "python": "3.99.0", "jax": "1.0"}
    ckpt_obj["hyper_parameters"]["config"]["versions"] = other
    torch.save(ckpt_obj, tmp_path / "other.ckpt")
    del ckpt_obj["hyper_parameters"]["config"]["versions"]  # written before they were recorded
    torch.save(ckpt_obj, tmp_path / "old.ckpt")
    for name in ("other", "old"):
        code, err, records = _evaluate(tmp_path / f"{name}.ckpt", tmp_path / name)
        assert code == 0 and err == "", (name, err)
        assert records[0]["values"] == acc and records[0]["versions"] == VERSIONS


def test_old_and_new_records_read_back(trained, tmp_path):
    import matplotlib.pyplot as plt

    from pyg_fusion.visualize import plot_results
    run, _ = trained
    new = json.loads((run / "results.json").read_text())
    old = [{k: v for k, v in r.items() if k != "versions"} for r in new]
    titles = {}
    for name, records in (("new", new), ("old", old)):
        # --config reads a record's config back (the versions are beside it, not in it)
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(records[0]["config"]))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["train", "--config", str(tmp_path / f"{name}.yaml"), "--print-config"])
        assert code == 0
        printed = yaml.safe_load(out.getvalue())
        assert printed["data"] == records[0]["config"]["data"]
        assert printed["fusion"] == records[0]["config"]["fusion"]
        fig = plot_results(records, path=tmp_path / f"{name}.png")
        titles[name] = [ax.get_title() for ax in fig.axes]
        plt.close(fig)
    assert titles["old"] == titles["new"] and titles["new"][0].startswith("accuracy")
    # compare --resume reuses a run only of the same versions: numbers of other
    # versions, or of records that do not say, train again
    identity = {"lego": {k: v for k, v in new[0].items()
                         if k not in ("metric", "mean", "std", "seeds", "values")}}
    assert set(reusable_runs(new, identity, [0])["lego"][0]) == {r["metric"] for r in new}
    assert reusable_runs(old, identity, [0]) == {}
