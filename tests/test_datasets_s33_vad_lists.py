"""VAD list files as spreadsheets and scripts save them: a delimiter at the
end of each line, tabs or ';' between path and label, a video listed twice."""
import numpy as np
import pytest

from pyg_fusion.datasets import VADFeatures, VADLayout


def _features(root, train_list):
    raw = root / "raw"
    (raw / "f").mkdir(parents=True)
    rng = np.random.default_rng(1)
    for split in ("train", "test"):
        for i in range(4):
            np.save(raw / "f" / f"{split}{i}.npy", rng.normal(size=(6, 3)).astype("f4"))
    (raw / "train.list").write_text(train_list)
    (raw / "test.list").write_text("".join(f"test{i}.npy,{int(i < 2)}\n" for i in range(4)))
    np.save(raw / "gt.npy", np.tile([0, 1, 1, 0, 0, 0], 4))


def _load(root, **kw):
    layout = VADLayout(sources={"rgb": "f/{name}.npy"}, train_list="train.list",
                       test_list="test.list", gt="gt.npy", snippet_len=1, **kw)
    return VADFeatures(root, "train", layout, num_segments=4, log=False)


@pytest.mark.parametrize("line", ["train{i}.npy,{y},", "train{i}.npy\t{y}", "train{i}.npy;{y}",
                                  "train{i}.npy\t{y}\t"])
@pytest.mark.parametrize("labels", ["auto", "list"])
def test_a_list_of_other_delimiters_keeps_its_labels(tmp_path, line, labels):
    # 'train2.npy,0,' gave the label '0,', no normal value: labels='list' made
    # every video abnormal without a word ('auto' refused: 'no label ... is
    # normal'); 'train2.npy<TAB>0' was the video 'train2.npy<TAB>0', its label lost
    _features(tmp_path, "".join(line.format(i=i, y=int(i < 2)) + "\n" for i in range(4)))
    ds = _load(tmp_path, labels=labels)
    assert [(d.video, int(d.y)) for d in ds] == [("train0", 1), ("train1", 1), ("train2", 0),
                                                ("train3", 0)]


def test_a_video_listed_with_two_labels_is_refused(tmp_path):
    # the first line's label was kept and the second dropped without a word
    _features(tmp_path, "train0.npy,1\ntrain1.npy,1\ntrain0.npy,0\ntrain2.npy,0\n")
    with pytest.raises(ValueError, match=r"train\.list: video 'train0' is listed with the "
                                         r"labels '1' and '0'"):
        _load(tmp_path)


@pytest.mark.parametrize("head", ["filename,class", "file_path,target", "video_name,labels"])
def test_a_list_header_of_other_column_names_is_no_video(tmp_path, head):
    # 'filename,class' was read as the video 'filename': 'source 'rgb': file
    # not found: .../f/filename.npy', which did not say it was the header
    _features(tmp_path, head + "\n" + "".join(f"train{i}.npy,{int(i < 2)}\n" for i in range(4)))
    assert [d.video for d in _load(tmp_path)] == ["train0", "train1", "train2", "train3"]


@pytest.mark.parametrize("sources", ["f/{name}.npy", ["rgb=f/{name}.npy"]])
def test_sources_not_a_dict_say_what_they_must_be(sources):
    # a string said "source name '/' must be letters ...", the command line's
    # list "source name 'rgb=f/{name}.npy' must be letters ..."
    with pytest.raises(TypeError, match=r"sources must be a dict \{source name: path "
                                        r"pattern\}"):
        VADLayout(sources=sources)


def test_a_ground_truth_key_of_no_split_is_refused():
    # gt={'tst': ...} (a typo) left the test split without ground truth, without a word
    with pytest.raises(ValueError, match=r"gt's keys must be 'train' / 'test', got \['tst'\]"):
        VADLayout(sources={"rgb": "f/{name}.npy"}, gt={"tst": "gt.npy"})
