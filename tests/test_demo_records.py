"""``pyg-fusion demo`` records, with every number, the config that produced it."""
import matplotlib

matplotlib.use("Agg")

import json  # noqa: E402

from pyg_fusion.cli import demo  # noqa: E402
from pyg_fusion.cli import main  # noqa: E402


def test_demo_records_config(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "DIGITS_METHODS", ["graph-mean"])
    monkeypatch.setattr(demo, "DIGITS_GRAPH_METHODS", ["graph-mean"])
    monkeypatch.setattr(demo, "VAD_METHODS", ["graph-mean"])
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--root", str(tmp_path / "data"),
                 "--node-epochs", "2", "--graph-epochs", "3", "--vad-epochs", "1",
                 "--no-progress"]) == 0
    records = json.loads((out / "results.json").read_text())
    by = {(r["dataset"], r["setting"]): r for r in records}
    assert by[("digits", "label_rate=0.05")]["config"]["trainer"]["epochs"] == 2
    graph_only = by[("digits", "label_rate=0.05,features=labels")]["config"]
    assert graph_only["trainer"]["epochs"] == 3 and graph_only["head"]["features"] == "labels"
    vad = [r for r in records if r["dataset"] == "synthetic-vad"][0]["config"]
    assert vad["trainer"]["epochs"] == 1 and vad["data"]["dataset"] == "synthetic-vad"
