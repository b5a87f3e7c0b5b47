"""--header, --no-header and --index-col apply to text files only: given for
tables whose files are all .npy / .npz (or, per file, for an .npy view), they
were recorded with the run without having been read. Refused, naming the flag
and the files."""
import numpy as np
import pytest

from pyg_fusion.cli import main


@pytest.mark.parametrize("flags, message", [
    (["--header"], "--header: every file ({tmp}/x.npy, {tmp}/y.npy) is .npy / .npz, which "
     "have no header row nor row ids (only text files are read with it); leave it out"),
    (["--index-col", "0"], "--index-col: every file ({tmp}/x.npy, {tmp}/y.npy) is .npy / "
     ".npz"),
    (["--index-col", "x=0"], "--index-col x=0: {tmp}/x.npy is .npy / .npz, which has no row "
     "ids (only text files have them); leave it out"),
])
def test_text_flags_for_arrays_are_refused(tmp_path, capsys, flags, message):
    np.save(tmp_path / "x.npy", np.zeros((4, 2)))
    np.save(tmp_path / "y.npy", np.array([0, 1, 0, 1]))
    argv = ["train", "--dataset", "tables", "--views", str(tmp_path / "x.npy"), "--labels",
            str(tmp_path / "y.npy"), *flags, "--print-config"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("pyg-fusion train: error: " + message.replace("{tmp}", str(tmp_path)))
    assert len(err.splitlines()) == 1


def test_a_text_file_reads_them(tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.zeros((4, 2)))
    (tmp_path / "y.csv").write_text("0\n1\n0\n1\n")
    assert main(["train", "--dataset", "tables", "--views", str(tmp_path / "x.npy"), "--labels",
                 str(tmp_path / "y.csv"), "--no-header", "--index-col", "labels=none",
                 "--print-config"]) == 0
    capsys.readouterr()
