"""pyg-fusion evaluate --out <a compare run's method/seed folder> (no
checkpoints: a compare run keeps its scores.json and CSV logs only) wrote its
scores.json over the run's and removed the run's training log
(logs/version_0) as an earlier evaluation's; its last line named results.json
only, not the CSV log it wrote under logs/."""
import numpy as np
import torch

from pyg_fusion.cli import main

COMMON = ["--threads", "1", "--no-progress"]


def _tables(tmp_path) -> list[str]:
    rng = np.random.default_rng(0)
    for name in ("a", "b"):
        np.save(tmp_path / f"{name}.npy",
                rng.normal(size=(40, 3)) + np.repeat([0, 4], 20)[:, None])
    np.savetxt(tmp_path / "y.csv", np.repeat(["no", "yes"], 20), fmt="%s")
    return ["--dataset", "tables", "--views", str(tmp_path / "a.npy"), str(tmp_path / "b.npy"),
            "--labels", str(tmp_path / "y.csv"), "--label-rate", "0.5", "--method",
            "graph-mean", "--epochs", "1", "--seeds", "0", "--root", str(tmp_path / "data"),
            *COMMON]


def _error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


def test_evaluate_refuses_a_compare_runs_folders_and_names_its_log(tmp_path, capsys):
    data = _tables(tmp_path)
    assert main(["train", *data, "--out", str(tmp_path / "t")]) == 0
    assert main(["compare", *data, "--out", str(tmp_path / "c")]) == 0
    ckpt = str(tmp_path / "t" / "graph-mean" / "seed0" / "checkpoints" / "best.ckpt")
    capsys.readouterr()
    seed = tmp_path / "c" / "graph-mean" / "seed0"
    assert not (seed / "checkpoints").exists() and (seed / "logs" / "version_0").is_dir()
    assert main(["evaluate", "--checkpoint", ckpt, "--out", str(seed), *COMMON]) == 2
    assert _error(capsys) == (
        f"pyg-fusion evaluate: error: --out {str(seed)!r} holds a training run's CSV log "
        f"logs/version_0 (a folder of a pyg-fusion train or compare run), among whose "
        f"scores.json and logs evaluate would write its own: give another --out\n")
    assert [p.name for p in (seed / "logs").iterdir()] == ["version_0"]
    assert not (seed / "results.json").exists()
    assert main(["evaluate", "--checkpoint", ckpt, "--out", str(seed.parent), *COMMON]) == 2
    assert "holds a training run's folder seed0 (a folder of a pyg-fusion train or " \
           "compare run)" in _error(capsys)
    # a start, restart or ensemble folder of a run (e.g. a VAD run's restart<r>)
    (tmp_path / "r" / "restart0").mkdir(parents=True)
    assert main(["evaluate", "--checkpoint", ckpt, "--out", str(tmp_path / "r"), *COMMON]) == 2
    assert "holds a training run's folder restart0" in _error(capsys)

    # an evaluation's own folder: evaluated into again; its last line names its log
    ev = tmp_path / "ev"
    for version in (0, 1):
        assert main(["evaluate", "--checkpoint", ckpt, "--out", str(ev), *COMMON]) == 0
        assert capsys.readouterr().out.splitlines()[-1] == (
            f"wrote {ev / 'results.json'}, results.txt (the table) and "
            f"logs/version_{version} (the CSV log)")
    # an interrupted evaluation's folder (its test log, no results.json yet)
    (ev / "results.json").unlink()
    assert main(["evaluate", "--checkpoint", ckpt, "--out", str(ev), *COMMON]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"wrote {ev / 'results.json'}, results.txt (the table) and logs/version_2 "
        f"(the CSV log)")


def test_evaluate_refuses_a_file_named_logs_before_it_scores(tmp_path, capsys):
    # Lightning's CSV logger failed at the end with '.../logs: File exists', after
    # a notice that called the user's file an earlier evaluation's
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "logs").write_text("mine")
    torch.save({}, tmp_path / "none.ckpt")  # (exists: a missing one is said first)
    assert main(["evaluate", "--checkpoint", str(tmp_path / "none.ckpt"), "--out", str(ev),
                 *COMMON]) == 2
    assert _error(capsys).startswith(f"pyg-fusion evaluate: error: --out {str(ev)!r} holds a "
                                     f"file 'logs', where the run writes its folder")
    assert (ev / "logs").read_text() == "mine"
