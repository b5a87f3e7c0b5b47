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


def test_an_interrupted_demo_leaves_the_finished_one(tmp_path, monkeypatch, capsys):
    """The demo wrote each figure as its run finished and results.json at
    the end, into --out itself: a rerun stopped part-way left its own
    digits_graphs.png (titled with its seed) beside the earlier demo's
    results.json. It now writes in <out>/demo.partial, moved into --out once
    finished, and says that --out holds an earlier run."""
    monkeypatch.setattr(demo, "DIGITS_METHODS", ["lego"])
    monkeypatch.setattr(demo, "DIGITS_GRAPH_METHODS", ["graph-mean"])
    monkeypatch.setattr(demo, "VAD_METHODS", ["graph-mean"])

    def figures(out, td, task, kind, prefix="digits", run=""):  # the demo's, without drawing
        (out / f"{prefix}_graphs.png").write_text(run)
        return [f"{prefix}_graphs.png"]

    monkeypatch.setattr(demo, "_figures", figures)
    out = tmp_path / "demo"
    argv = ["demo", "--out", str(out), "--root", str(tmp_path / "data"), "--node-epochs", "1",
            "--graph-epochs", "1", "--vad-epochs", "1", "--no-progress"]

    def files():
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
                if p.is_file() and "demo.partial" not in p.parts
                and p.name != ".pyg-fusion.lock"}

    assert main(argv) == 0
    first = files()
    assert {"results.json", "results.txt", "digits_graphs.png"} <= set(first)
    real = demo.run_method

    def stops_at_vad(td, *args, **kwargs):
        if td.dataset == "synthetic-vad":
            raise KeyboardInterrupt
        return real(td, *args, **kwargs)

    monkeypatch.setattr(demo, "run_method", stops_at_vad)
    capsys.readouterr()
    assert main([*argv, "--seed", "1"]) == 130
    err = capsys.readouterr().err
    assert f"notice: --out {out} holds an earlier run" in err, err
    assert files() == first  # the seed-1 figure of the unfinished demo did not replace it
    assert first["digits_graphs.png"] == b"seed 0, 1 epochs"
    assert (out / "demo.partial" / "digits_graphs.png").is_file()
    monkeypatch.setattr(demo, "run_method", real)
    assert main([*argv, "--seed", "1"]) == 0
    assert not (out / "demo.partial").exists()
    records = json.loads((out / "results.json").read_text())
    assert {tuple(r["seeds"]) for r in records} == {(1,)}
    assert files()["digits_graphs.png"] == b"seed 1, 1 epochs"
