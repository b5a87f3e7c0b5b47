"""A .npy / .npz of Python objects (dtype object: what np.save writes for
pandas' to_numpy() of a column of strings) is refused naming the file and the
way out, not with numpy's 'Array can't be memory-mapped: Python objects in
dtype' (.npy) or, naming no file nor flag, 'Object arrays cannot be loaded when
allow_pickle=False' (an .npz member)."""
import numpy as np
import pytest

from pyg_fusion.cli import main
from pyg_fusion.datasets import MultiViewTables
from pyg_fusion.datasets._npy import load_npy

_SAYS = r"holds Python objects \(dtype object, .*array\.astype\(str\) for labels$"


def _save(path, array):
    if path.suffix == ".npz":
        np.savez(path, a=array)
    else:
        np.save(path, array)


@pytest.fixture
def views(tmp_path):
    rng = np.random.default_rng(0)
    np.save(tmp_path / "a.npy", rng.normal(size=(8, 2)))
    np.save(tmp_path / "y.npy", np.arange(8) % 2)
    return tmp_path


@pytest.mark.parametrize("suffix", [".npy", ".npz"])
@pytest.mark.parametrize("role", ["labels", "view"])
def test_object_arrays_are_refused_by_file(views, suffix, role):
    objects = np.array(["cat", "dog"] * 4, dtype=object)
    if role == "view":
        objects = np.array([[0.5, "x"]] * 8, dtype=object)  # a frame of mixed columns
    bad = views / f"bad{suffix}"
    _save(bad, objects)
    files = ([str(views / "a.npy")], str(bad)) if role == "labels" else \
        ([str(views / "a.npy"), str(bad)], str(views / "y.npy"))
    with pytest.raises(ValueError, match=("labels: " if role == "labels" else "view 'bad': ")
                       + f".*bad\\{suffix} " + _SAYS):
        MultiViewTables(str(views / "d"), *files, log=False)


def test_a_vad_feature_file_of_objects_names_it(tmp_path):
    np.save(tmp_path / "v.npy", np.zeros((4, 3)).astype(object))
    with pytest.raises(ValueError, match="video 'v': .*v.npy " + _SAYS):
        load_npy(str(tmp_path / "v.npy"), "video 'v'", finite=True)


def test_other_broken_files_keep_numpys_reason(tmp_path):
    (tmp_path / "cut.npy").write_bytes(np.lib.format.MAGIC_PREFIX + b"\x01\x00garbage")
    with pytest.raises(ValueError, match=r"^x: cannot read .*cut\.npy as \.npy \("):
        load_npy(str(tmp_path / "cut.npy"), "x")


def test_the_command_names_the_flag_in_one_line(views, capsys):
    np.savez(views / "y.npz", y=np.array(["cat", "dog"] * 4, dtype=object))
    assert main(["train", "--dataset", "tables", "--views", str(views / "a.npy"),
                 "--labels", str(views / "y.npz"), "--root", str(views / "data"),
                 "--epochs", "1", "--no-progress", "--threads", "1",
                 "--out", str(views / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("pyg-fusion train: error: --labels: ")
    assert "Python objects" in err
