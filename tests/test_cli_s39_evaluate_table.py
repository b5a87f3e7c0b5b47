"""pyg-fusion evaluate printed its results table but wrote it nowhere: its
--out held results.json and the CSV log only, where train and compare write
the printed table as results.txt. It now writes results.txt (the printed
table) and its last line names it."""
import numpy as np

from pyg_fusion.cli import main

COMMON = ["--threads", "1", "--no-progress"]


def test_evaluate_writes_the_table_it_prints(tmp_path, capsys):
    rng = np.random.default_rng(0)
    for name in ("a", "b"):
        np.save(tmp_path / f"{name}.npy",
                rng.normal(size=(40, 3)) + np.repeat([0, 4], 20)[:, None])
    np.savetxt(tmp_path / "y.csv", np.repeat(["no", "yes"], 20), fmt="%s")
    assert main(["train", "--dataset", "tables", "--views", str(tmp_path / "a.npy"),
                 str(tmp_path / "b.npy"), "--labels", str(tmp_path / "y.csv"),
                 "--label-rate", "0.5", "--method", "graph-mean", "--epochs", "1", "--seeds",
                 "0", "--root", str(tmp_path / "data"), "--out", str(tmp_path / "t"),
                 *COMMON]) == 0
    ckpt = str(tmp_path / "t" / "graph-mean" / "seed0" / "checkpoints" / "best.ckpt")
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "results.txt").write_text("an earlier table")
    capsys.readouterr()
    assert main(["evaluate", "--checkpoint", ckpt, "--out", str(ev), *COMMON]) == 0
    out = capsys.readouterr().out
    table = (ev / "results.txt").read_text()
    assert table.splitlines()[0].split()[:3] == ["dataset", "setting", "method"]
    assert "graph-mean" in table.splitlines()[2]
    assert out.startswith(table)  # the printed table, as printed
    assert out.splitlines()[-1] == (f"wrote {ev / 'results.json'}, results.txt (the table) "
                                    f"and logs/version_0 (the CSV log)")
