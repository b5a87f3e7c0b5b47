"""A rerun into a used --out leaves in each run folder this run's files only:
an earlier VAD run's scores.json beside a node run's checkpoints, or an
earlier run's logs beside the per-start logs of an init auto run, were kept
(and read as this run's by plot anomaly-scores --input, or a user)."""
from pyg_fusion.cli import main


def test_a_rerun_removes_the_earlier_runs_scores_and_logs(tmp_path, capsys):
    out, seed0 = tmp_path / "o", tmp_path / "o" / "lego" / "seed0"
    common = ["--method", "lego", "--epochs", "1", "--seeds", "0", "--out", str(out),
              "--root", str(tmp_path / "data"), "--threads", "1", "--no-progress"]
    assert main(["train", "--dataset", "digits", *common]) == 0
    assert (seed0 / "logs").is_dir()
    capsys.readouterr()
    # init auto keeps its logs per start: the digits run's logs were left
    assert main(["train", "--dataset", "synthetic-vad", "--num-segments", "8", "--init",
                 "auto", *common]) == 0
    assert sorted(p.name for p in seed0.iterdir()) == [
        "checkpoints", "init_mean", "init_product", "scores.json"]
    assert "this run does not write its logs: removed" in capsys.readouterr().err
    # a node run writes no scores.json: the VAD run's stayed beside its checkpoints
    assert main(["train", "--dataset", "digits", *common]) == 0
    assert sorted(p.name for p in seed0.iterdir()) == ["checkpoints", "logs"]
    assert "this run does not write its init_mean, init_product, scores.json: removed" in \
        capsys.readouterr().err


def test_a_rerun_of_fewer_seeds_names_the_earlier_runs_it_leaves(tmp_path, capsys):
    out = tmp_path / "o"
    common = ["--dataset", "digits", "--epochs", "1", "--out", str(out), "--root",
              str(tmp_path / "data"), "--threads", "1", "--no-progress"]
    assert main(["train", "--method", "graph-mean", "--seeds", "0,1", *common]) == 0
    capsys.readouterr()
    # results.json then held seed 0 only, beside graph-mean/seed1, without a word
    assert main(["train", "--method", "graph-mean", "--seeds", "0", *common]) == 0
    assert f"notice: {out} also holds graph-mean/seed1, of an earlier run that this one did " \
        f"not repeat: kept, but not in its results.json, results.txt and results.png" in \
        capsys.readouterr().err
    assert (out / "graph-mean" / "seed1" / "checkpoints").is_dir()
    assert main(["train", "--method", "graph-mean", "--seeds", "0,1", *common]) == 0
    assert "also holds" not in capsys.readouterr().err
