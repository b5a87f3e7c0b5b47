"""evaluate into a used --out: an earlier evaluation's CSV logs were kept
beside this one's (logs/version_0, version_1, ... of other checkpoints, one
results.json), without a word; into a training run's folder it wrote its
scores.json over the run's own."""
from pyg_fusion.cli import main


def test_evaluate_replaces_an_earlier_evaluations_logs_and_refuses_a_run_folder(tmp_path,
                                                                               capsys):
    common = ["--threads", "1", "--no-progress"]
    assert main(["train", "--dataset", "digits", "--method", "graph-mean", "--epochs", "1",
                 "--seeds", "0", "--root", str(tmp_path / "data"), "--out",
                 str(tmp_path / "o"), *common]) == 0
    run = tmp_path / "o" / "graph-mean" / "seed0"
    ev = tmp_path / "ev"
    for name in ("last", "best"):
        assert main(["evaluate", "--checkpoint", str(run / "checkpoints" / f"{name}.ckpt"),
                     "--out", str(ev), *common]) == 0
    err = capsys.readouterr().err
    assert f"notice: --out {ev} holds an earlier evaluation: its results.json, results.txt, " \
           f"scores.json, scores.csv and logs are replaced by this evaluation's once it finishes" in err
    # it held version_0 (last.ckpt's) and version_1 (best.ckpt's) beside one results.json
    assert [p.name for p in (ev / "logs").iterdir()] == ["version_1"]
    assert main(["evaluate", "--checkpoint", str(run / "checkpoints" / "best.ckpt"),
                 "--out", str(run), *common]) == 2
    assert capsys.readouterr().err == (
        f"pyg-fusion evaluate: error: --out {str(run)!r} holds a training run's checkpoints "
        f"(a run folder of pyg-fusion train), among whose scores.json and logs evaluate would "
        f"write its own: give another --out\n")
