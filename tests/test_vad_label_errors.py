"""Label options that do not fit the lists: the errors say what to give,
with the command line's flag."""
import numpy as np
import pytest

from pyg_fusion.datasets import VADFeatures


def _tree(root):
    raw = root / "raw"
    (raw / "a").mkdir(parents=True)
    for name in ("v0", "v1", "v2"):
        np.save(raw / "a" / f"{name}.npy", np.ones((3, 2), dtype=np.float32))
    (raw / "list.txt").write_text("a/v0.npy\na/v1.npy\na/v2.npy\n")
    return dict(sources={"a": "a/{name}.npy"}, train_list="list.txt")


def test_position_labels_without_a_count_name_the_flag(tmp_path):
    layout = _tree(tmp_path)
    with pytest.raises(ValueError, match=r"labels='position' needs num_abnormal in \[0, 3\] "
                       r"for the train split, got None: the number of abnormal videos at the "
                       r"head of the list \(pyg-fusion: --vad-num-abnormal"):
        VADFeatures(str(tmp_path), "train", log=False, labels="position", **layout)
    ds = VADFeatures(str(tmp_path), "train", log=False, labels="position", num_abnormal=1,
                     **layout)
    assert [int(d.y) for d in ds] == [1, 0, 0]


def test_list_labels_without_a_column_say_what_to_write(tmp_path):
    layout = _tree(tmp_path)
    with pytest.raises(ValueError, match=r"train list has no label column: write "
                       r"'path,label' lines.*--vad-labels"):
        VADFeatures(str(tmp_path), "train", log=False, labels="list", **layout)
    (tmp_path / "raw" / "list.txt").write_text("a/v0.npy,Fight\na/v1.npy,Normal\na/v2.npy,0\n")
    ds = VADFeatures(str(tmp_path), "train", log=False, labels="list", **layout)
    assert [int(d.y) for d in ds] == [1, 0, 0]



def test_auto_labels_refuse_a_count_that_the_label_column_contradicts(tmp_path):
    layout = _tree(tmp_path)
    (tmp_path / "raw" / "list.txt").write_text("a/v0.npy,Fight\na/v1.npy,Normal\na/v2.npy,0\n")
    # the column makes 1 video abnormal; a count of 2 went unread, without a word
    with pytest.raises(ValueError, match=r"the train list's label column makes 1 of 3 videos "
                       r"abnormal, not the first num_abnormal=2.*--vad-labels position"):
        VADFeatures(str(tmp_path), "train", log=False, num_abnormal=2, **layout)
    ds = VADFeatures(str(tmp_path), "train", log=False, num_abnormal=2, labels="position",
                     **layout)
    assert [int(d.y) for d in ds] == [1, 1, 0]
    for count in (1, None):  # a count the column agrees with, or none: the column
        ds = VADFeatures(str(tmp_path), "train", log=False, num_abnormal=count, **layout)
        assert [int(d.y) for d in ds] == [1, 0, 0]


def test_errors_name_a_domain_only_where_the_user_has_domains(tmp_path):
    """The plain layout (one unnamed domain) was called 'domain0' in every
    error, a name the user never gave: its errors name the list it gave;
    several domains, or a named layout, are named as domains."""
    from pyg_fusion.datasets import VADLayout

    layout = _tree(tmp_path)
    with pytest.raises(ValueError) as err:
        VADFeatures(str(tmp_path), "train", log=False, labels="position", **layout)
    assert str(err.value).startswith("the train list 'list.txt': labels='position' needs")
    assert "domain" not in str(err.value)
    np.save(tmp_path / "raw" / "a" / "v1.npy", np.full((3, 2), np.nan, dtype=np.float32))
    with pytest.raises(ValueError, match=r"^video 'v1' \(the train list 'list.txt'\)"):
        VADFeatures(str(tmp_path), "train", log=False, num_abnormal=1, **layout)
    np.save(tmp_path / "raw" / "a" / "v1.npy", np.ones((3, 2), dtype=np.float32))
    with pytest.raises(ValueError, match=r"^domain 'mine': labels='position'"):
        VADFeatures(str(tmp_path), "train", VADLayout(**layout, labels="position", name="mine"),
                    log=False)
    two = [VADLayout(**layout, num_abnormal=1), VADLayout(**layout, labels="position")]
    with pytest.raises(ValueError, match=r"^domain 'domain1': labels='position'"):
        VADFeatures(str(tmp_path), "train", two, log=False)


def test_split_videos_refuses_video_labels_other_than_0_and_1():
    # int() made y = 0.5 a normal video, and y = 2 a third class to stratify by
    import torch
    from torch_geometric.data import Data

    from pyg_fusion.training.vad import split_videos
    items = [Data(y=torch.tensor([i % 2]), video=f"v{i}", x=torch.zeros(1)) for i in range(10)]
    ref = split_videos(items, 0.2)
    for y in (torch.tensor([True]), torch.tensor([1.0])):  # the same label, other dtypes
        items[3].y = y
        assert split_videos(items, 0.2) == ref
    for y, shown in ((torch.tensor([0.5]), "0.5"), (torch.tensor([2]), "2")):
        items[3].y = y
        with pytest.raises(ValueError, match=rf"^video 'v3' has the label y = {shown}: "
                                             r"expected 0 \(normal\) or 1 \(abnormal\)$"):
            split_videos(items, 0.2)


def test_split_videos_and_fit_vad_name_the_fraction_argument_each_was_given(tmp_path):
    # before: split_videos(dataset, 1.5) said "val_fraction must be in [0, 1)",
    # fit_vad's name for it, not the argument the caller passed
    from pyg_fusion.training.vad import split_videos
    from pyg_fusion.training.vad_fit import fit_vad
    with pytest.raises(ValueError, match=r"^fraction must be a number in \[0, 1\), got 1\.5$"):
        split_videos([], 1.5)
    with pytest.raises(ValueError, match=r"^val_fraction must be a number in \[0, 1\), got -0\.1$"):
        fit_vad(None, None, None, out_dir=tmp_path / "out", val_fraction=-0.1)
    assert not (tmp_path / "out").exists()
