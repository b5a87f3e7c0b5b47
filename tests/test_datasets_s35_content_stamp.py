"""A cache knew its input files by size and modification time: an edit
that kept both (a filesystem of 1 s timestamps, an edit in the same tick,
cp -p) loaded the cache of the old contents. Inputs of 4 MiB or less in
all are stamped by their contents too."""
import os

import numpy as np
import torch

from pyg_fusion.datasets import MultiViewTables
from pyg_fusion.datasets._cache_names import options_hash


def test_a_same_size_edit_with_its_time_kept_re_processes(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    old = "".join(f"{i}.5,{i}.25\n" for i in range(6))
    (raw / "a.csv").write_text(old)
    (raw / "y.csv").write_text("0\n1\n" * 3)
    first = MultiViewTables(str(tmp_path), ["a.csv"], "y.csv", log=False).processed_paths[0]
    stat = os.stat(raw / "a.csv")
    (raw / "a.csv").write_text(old.replace(".5,", ".7,"))  # same size, other values
    os.utime(raw / "a.csv", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = MultiViewTables(str(tmp_path), ["a.csv"], "y.csv", log=False)
    assert again.processed_paths[0] != first
    assert torch.allclose(again[0].x_a[:, 0], torch.arange(6) + 0.7)
    assert not os.path.exists(first)  # replaced, as an edit's cache is


def test_the_contents_count_only_for_small_inputs(tmp_path):
    small, big = tmp_path / "s.npy", tmp_path / "b.npy"
    np.save(small, np.zeros(4))
    np.save(big, np.zeros((5, 2 ** 17)))  # 5 MiB
    stat = os.stat(big)
    before = options_hash(None, [str(small)]), options_hash(None, [str(big)])
    for path in (small, big):
        st = os.stat(path)
        array = np.load(path)
        array.flat[0] = 1
        np.save(path, array)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(big).st_size == stat.st_size
    assert options_hash(None, [str(small)]) != before[0]
    assert options_hash(None, [str(big)]) == before[1]  # size and time alone, as before
    # a missing file is stamped as missing, as before
    assert options_hash(None, [str(tmp_path / "none.csv")])
