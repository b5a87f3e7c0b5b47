"""A record's config reruns the run it came from, seeds included: read back
with ``--config`` alone it trained seed 0 whatever seeds made the record."""
import contextlib
import io
import json

import yaml

from pyg_fusion.cli import main
from pyg_fusion.experiments._resume import reusable_runs
from test_checkpoint_fingerprint import _tables


def _train(argv, out):
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["train", *argv, "--no-progress", "--out", str(out)]) == 0
    return json.loads((out / "results.json").read_text())


def test_a_records_config_reruns_its_seeds(tmp_path):
    data = _tables(tmp_path / "t")
    first = _train([*data, "--root", str(tmp_path / "data"), "--method", "graph-mean",
                    "--seeds", "3,5", "--epochs", "2", "--k", "3", "--label-rate", "1",
                    "--val-rate", "0.25", "--test-rate", "0.25"], tmp_path / "first")
    assert all(r["config"]["seeds"] == r["seeds"] == [3, 5] for r in first)
    assert first[0]["config"]["data"]["data_seed"] == 0
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(first[0]["config"]))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["train", "--config", str(tmp_path / "run.yaml"), "--print-config"]) == 0
    assert yaml.safe_load(printed.getvalue())["seeds"] == [3, 5]
    again = _train(["--config", str(tmp_path / "run.yaml")], tmp_path / "again")
    assert [(r["metric"], r["seeds"], r["config"]) for r in again] == \
        [(r["metric"], r["seeds"], r["config"]) for r in first]
    assert [r["values"] for r in again if r["metric"] != "time_per_epoch_s"] == \
        [r["values"] for r in first if r["metric"] != "time_per_epoch_s"]
    # compare --resume: the seeds a record's config holds are those finished so
    # far, not what ran; the grid of more seeds reuses them
    identity = {k: v for k, v in first[0].items()
                if k not in ("metric", "mean", "std", "seeds", "values")}
    identity["config"] = {k: v for k, v in identity["config"].items() if k != "seeds"}
    reused = reusable_runs(first, {"graph-mean": identity}, [3, 5, 7])["graph-mean"]
    assert set(reused) == {3, 5}
    # the thread count that made the bits (--threads, 1 by default) is recorded,
    # and a grid of another count trains again
    assert {r["threads"] for r in first} == {1}
    assert reusable_runs(first, {"graph-mean": {**identity, "threads": 2}}, [3]) == {}
