import json

import pytest

from pyg_fusion.cli import build_parser, main

COMMANDS = ["demo", "train", "evaluate", "compare", "sweep"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert f"pyg-fusion {command}" in out
    if command != "demo":
        assert "--dataset" in out


def test_bad_options_give_clear_errors(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--seeds", "x"])
    assert "expected integers" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--dataset", "nope"])
    assert "invalid choice" in capsys.readouterr().err
    assert main(["train", "--dataset", "tables", "--out", str(tmp_path)]) == 2
    assert "--views FILE... is required" in capsys.readouterr().err
    assert main(["train", "--dataset", "tables", "--views", str(tmp_path / "a.csv"),
                 "--labels", "y.csv", "--out", str(tmp_path)]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["evaluate", "--checkpoint", str(tmp_path / "none.ckpt")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["sweep", "--method", "graph-mean", "--out", str(tmp_path)]) == 2
    assert "lego or lego-cp" in capsys.readouterr().err


def test_train_then_evaluate_reproduces_the_metrics(tmp_path, capsys):
    common = ["--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
              "--num-segments", "8", "--no-progress"]
    out = tmp_path / "train"
    assert main(["train", *common, "--method", "lego", "--epochs", "2",
                 "--out", str(out)]) == 0
    records = json.loads((out / "results.json").read_text())
    assert {r["metric"] for r in records} >= {"auc", "ap", "pr_auc_trapz", "params"}
    for r in records:
        assert {"dataset", "setting", "method", "metric", "mean", "std", "seeds"} <= set(r)
        assert r["method"] == "lego" and r["dataset"] == "synthetic-vad"
    ckpt = out / "lego" / "seed0" / "checkpoints" / "best.ckpt"  # the tested epoch
    assert ckpt.is_file()
    ev = tmp_path / "eval"
    assert main(["evaluate", "--checkpoint", str(ckpt), "--root", str(tmp_path / "data"),
                 "--num-segments", "8", "--no-progress", "--out", str(ev)]) == 0
    again = {r["metric"]: r["mean"] for r in json.loads((ev / "results.json").read_text())}
    trained = {r["metric"]: r["mean"] for r in records}
    for key in ("auc", "ap", "pr_auc_trapz"):
        assert again[key] == pytest.approx(trained[key], abs=1e-9)
    assert "auc" in capsys.readouterr().out


def test_sweep_writes_pq_records(tmp_path):
    out = tmp_path / "sweep"
    assert main(["sweep", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
                 "--num-segments", "8", "--p", "1", "--q", "1..2", "--epochs", "1",
                 "--no-progress", "--out", str(out)]) == 0
    records = json.loads((out / "sweep.json").read_text())
    auc = [r for r in records if r["metric"] == "auc"]
    assert sorted((r["P"], r["Q"]) for r in auc) == [(1, 1), (1, 2)]
    assert all(r["method"] == "lego" and r["dataset"] == "synthetic-vad" for r in auc)
    # the printed table and its figure beside the records
    by_q = {r["Q"]: r["mean"] for r in auc}
    assert (out / "sweep.txt").read_text().splitlines()[2] == (
        f"  1 {by_q[1]:7.4f} {by_q[2]:7.4f}")
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_parser_lists_the_training_commands():
    text = build_parser().format_help()
    for command in COMMANDS:
        assert command in text


def test_compare_gives_mean_and_std_over_seeds(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "--dataset", "synthetic-vad", "--root", str(tmp_path / "data"),
                 "--num-segments", "8", "--method", "single", "--seeds", "0..1",
                 "--epochs", "1", "--no-progress", "--out", str(out)]) == 0
    records = json.loads((out / "results.json").read_text())
    auc = {r["method"]: r for r in records if r["metric"] == "auc"}
    assert set(auc) == {"single-c3d", "single-i3d", "single-swin"}
    for r in auc.values():
        assert r["seeds"] == [0, 1] and len(r["values"]) == 2
        assert r["mean"] == pytest.approx(sum(r["values"]) / 2)
        assert r["std"] == pytest.approx(abs(r["values"][0] - r["values"][1]) / 2 ** 0.5)
    assert "single-swin" in capsys.readouterr().out


def test_train_on_user_tables(tmp_path, monkeypatch):
    import numpy as np
    monkeypatch.chdir(tmp_path)  # views named relative to the folder of the run
    rng = np.random.default_rng(0)
    y = np.repeat(["cat", "dog", "owl"], 20)
    c = {"cat": 0.0, "dog": 2.0, "owl": 4.0}
    np.savetxt(tmp_path / "rgb.csv", np.stack([rng.normal(c[v], 1, 5) for v in y]),
               delimiter=",")
    np.save(tmp_path / "depth.npy", np.stack([rng.normal(-c[v], 1, 3) for v in y]))
    (tmp_path / "labels.csv").write_text("\n".join(y) + "\n")
    out = tmp_path / "out"
    assert main(["train", "--dataset", "tables", "--views", "rgb.csv", "depth.npy",
                 "--labels", "labels.csv",
                 "--label-rate", "0.3", "--method", "lego", "--epochs", "2", "--k", "4",
                 "--root", str(tmp_path / "data"), "--no-progress", "--out", str(out)]) == 0
    rec = {r["metric"]: r for r in json.loads((out / "results.json").read_text())}
    assert rec["accuracy"]["dataset"] == "tables" and 0.0 <= rec["accuracy"]["mean"] <= 1.0
    ckpt = out / "lego" / "seed0" / "checkpoints" / "best.ckpt"
    assert ckpt.is_file()
    # the checkpoint records the views' absolute paths: evaluated and plotted from elsewhere
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert main(["evaluate", "--checkpoint", str(ckpt), "--root", str(tmp_path / "data"),
                 "--no-progress", "--out", str(tmp_path / "eval")]) == 0
    again = {r["metric"]: r for r in json.loads((tmp_path / "eval" / "results.json").read_text())}
    assert again["accuracy"]["mean"] == pytest.approx(rec["accuracy"]["mean"], abs=1e-9)
    assert main(["plot", "adjacency", "--checkpoint", str(ckpt), "--root",
                 str(tmp_path / "data"), "--out", "g.png"]) == 0
    assert (tmp_path / "elsewhere" / "g.png").stat().st_size > 0


def test_compare_graph_only_setting_on_user_tables(tmp_path, capsys):
    import numpy as np
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1, 2], 15)
    np.save(tmp_path / "a.npy", rng.normal(y[:, None] * 2.0, 1.0, (45, 4)))
    np.save(tmp_path / "b.npy", rng.normal(-y[:, None] * 2.0, 1.0, (45, 3)))
    np.save(tmp_path / "labels.npy", y)
    out = tmp_path / "out"
    assert main(["compare", "--dataset", "tables", "--views", str(tmp_path / "a.npy"),
                 str(tmp_path / "b.npy"), "--labels", str(tmp_path / "labels.npy"),
                 "--label-rate", "0.5", "--features", "labels", "--method", "all",
                 "--seeds", "0", "--epochs", "2", "--k", "4", "--root", str(tmp_path / "data"),
                 "--no-progress", "--out", str(out)]) == 0
    records = json.loads((out / "results.json").read_text())
    methods = {r["method"] for r in records}
    assert {"lego", "graph-mean", "single-a"} <= methods
    assert not any(m.startswith(("gcn-", "asym")) for m in methods)
    assert {r["setting"] for r in records} == {"label_rate=0.5,features=labels"}
    assert main(["compare", "--dataset", "tables", "--views", str(tmp_path / "a.npy"),
                 "--labels", str(tmp_path / "labels.npy"), "--features", "labels",
                 "--method", "gcn-mean", "--root", str(tmp_path / "data"),
                 "--out", str(out)]) == 2
    assert "unknown method 'gcn-mean'" in capsys.readouterr().err


def test_lego_options_reach_the_run_options():
    from pyg_fusion.cli._runs import options_from_args
    args = build_parser().parse_args(["compare", "--features", "labels", "--pairs", "sample",
                                      "--num-powers", "2"])
    assert options_from_args(args) == {"features": "labels", "pairs": "sample",
                                       "num_powers": 2}


def test_graph_only_checkpoint_evaluates_to_the_same_accuracy(tmp_path):
    import numpy as np
    rng = np.random.default_rng(2)
    y = np.repeat([0, 1, 2], 15)
    np.save(tmp_path / "a.npy", rng.normal(y[:, None] * 2.0, 1.0, (45, 4)))
    np.save(tmp_path / "b.npy", rng.normal(-y[:, None] * 2.0, 1.0, (45, 3)))
    np.save(tmp_path / "labels.npy", y)
    data = ["--dataset", "tables", "--views", str(tmp_path / "a.npy"), str(tmp_path / "b.npy"),
            "--labels", str(tmp_path / "labels.npy"), "--label-rate", "0.5",
            "--root", str(tmp_path / "data"), "--no-progress"]
    out = tmp_path / "train"
    assert main(["train", *data, "--features", "labels", "--method", "lego", "--epochs", "3",
                 "--k", "4", "--out", str(out)]) == 0
    trained = {r["metric"]: r["mean"] for r in json.loads((out / "results.json").read_text())}
    ckpt = out / "lego" / "seed0" / "checkpoints" / "best.ckpt"
    ev = tmp_path / "eval"
    assert main(["evaluate", "--checkpoint", str(ckpt), *data, "--out", str(ev)]) == 0
    again = {r["metric"]: r["mean"] for r in json.loads((ev / "results.json").read_text())}
    assert again["accuracy"] == pytest.approx(trained["accuracy"], abs=1e-9)
    # the records name the same setting: a graph-only run, not a feature-head one
    setting = {json.loads((d / "results.json").read_text())[0]["setting"] for d in (out, ev)}
    assert len(setting) == 1 and "features=labels" in setting.pop()
