"""pyg-fusion sweep --dataset tables --views stats.csv spec.npy: sweep.txt's table
said 'rows P, columns Q', and a user reads P as the first view given (stats), but
the grid gives P to the first by name (spec). The table now names the sources."""
import numpy as np

from pyg_fusion.cli import main


def test_sweep_table_names_the_sources_of_p_and_q(tmp_path):
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 20)
    np.save(tmp_path / "stats.npy", rng.normal(size=(40, 3)) + y[:, None])
    np.save(tmp_path / "spec.npy", rng.normal(size=(40, 4)) + y[:, None])
    np.savetxt(tmp_path / "y.csv", y, fmt="%d")
    out = tmp_path / "sweep"
    assert main(["sweep", "--dataset", "tables", "--views", str(tmp_path / "stats.npy"),
                 str(tmp_path / "spec.npy"), "--labels", str(tmp_path / "y.csv"),
                 "--root", str(tmp_path / "data"), "--label-rate", "0.5", "--k", "3",
                 "--p", "1", "--q", "1", "--epochs", "1", "--threads", "1",
                 "--no-progress", "--out", str(out)]) == 0
    head = (out / "sweep.txt").read_text().splitlines()[0]
    assert head.endswith("rows P (powers of spec), columns Q (powers of stats)"), head
