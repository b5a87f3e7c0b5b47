"""A test ground truth that does not fit the videos' snippets: the errors say
what to check (the snippet length, the list) and, for a ground truth of a
whole number of frames per snippet, which snippet length it fits."""
import numpy as np
import pytest

from pyg_fusion.datasets import VADFeatures

VIDEOS = {"Fight001": (4, 1), "Normal_002": (6, 0)}  # name -> (snippets, abnormal)
LAYOUT = dict(sources={"a": "a/{name}.npy"}, test_list="list/test.list",
              train_list="list/test.list", gt="list/gt.npy", num_abnormal=1)


def _tree(root, frames_per_snippet):
    raw = root / "raw"
    (raw / "a").mkdir(parents=True)
    (raw / "list").mkdir()
    rng = np.random.default_rng(0)
    for name, (T, _) in VIDEOS.items():
        np.save(raw / "a" / f"{name}.npy", rng.normal(size=(T, 3)).astype(np.float32))
    (raw / "list" / "test.list").write_text("".join(f"{n}\n" for n in VIDEOS))
    gt = np.concatenate([np.full(T * frames_per_snippet, y, dtype=np.uint8)
                         for T, y in VIDEOS.values()])
    gt[:2] = 0
    np.save(raw / "list" / "gt.npy", gt)
    return gt


def test_ground_truth_of_another_snippet_length_names_the_one_it_fits(tmp_path):
    gt = _tree(tmp_path, 50)  # 10 snippets x 50 frames, read with the default 16
    with pytest.raises(ValueError, match=r"340 frames more .*'Normal_002'\), which hold 10 "
                       r"snippets x 16 frames; check snippet_len.*--vad-snippet-len.*its "
                       r"500 frames fit snippet_len=50"):
        VADFeatures(str(tmp_path), "test", log=False, **LAYOUT)
    ds = VADFeatures(str(tmp_path), "test", log=False, snippet_len=50, **LAYOUT)
    assert np.array_equal(np.concatenate([d.frame_gt.numpy() for d in ds]), gt)


def test_ground_truth_longer_by_a_remainder_gives_no_snippet_length(tmp_path):
    gt = _tree(tmp_path, 16)
    np.save(tmp_path / "raw" / "list" / "gt.npy", np.concatenate([gt, gt[:3]]))
    with pytest.raises(ValueError, match=r"3 frames more .*in its order, each T x snippet_len"):
        VADFeatures(str(tmp_path), "test", log=False, **LAYOUT)


def test_ground_truth_too_short_says_what_to_check(tmp_path):
    _tree(tmp_path, 16)
    with pytest.raises(ValueError, match=r"'Fight001'.*too short.*0..399 \(4 snippets x 100\); "
                       r"check snippet_len.*--vad-snippet-len"):
        VADFeatures(str(tmp_path), "test", log=False, snippet_len=100, **LAYOUT)


def test_ground_truth_with_frames_past_the_last_snippet_says_to_cut_them(tmp_path):
    # each video's labels of all its frames, 7 past its last whole snippet of 16
    _tree(tmp_path, 16)
    gt = np.concatenate([np.full(T * 16 + 7, y, dtype=np.uint8) for T, y in VIDEOS.values()])
    np.save(tmp_path / "raw" / "list" / "gt.npy", gt)
    with pytest.raises(ValueError, match=r"14 frames more .*each T x snippet_len frames: cut "
                       r"the frames past a video's last whole snippet, or give one file per "
                       r"video \(gt='gt/\{name\}.npy', which is cut\)$"):
        VADFeatures(str(tmp_path), "test", log=False, **LAYOUT)


def test_evaluation_refuses_videos_whose_frame_gt_is_not_their_frames(tmp_path):
    # videos built in Python, with frame_gt at 8 frames per snippet against
    # snippet_len 16: the frame scores were cut to the ground truth's length,
    # and the metrics compared frames of different times (AUC 0.87, not 0.5)
    import torch

    from pyg_fusion.data import MultiSourceData
    from pyg_fusion.methods.vad import VADFeatureFusion
    from pyg_fusion.training.metrics import roc_auc
    from pyg_fusion.training.vad import WeaklySupervisedVAD
    from pyg_fusion.training.vad_fit import evaluate_vad

    def video(i, per_snippet):
        gt = torch.zeros(6 * per_snippet, dtype=torch.long)
        gt[gt.numel() // 2:] = i % 2
        return MultiSourceData(x_a=torch.full((6, 3), float(i)), y=torch.tensor([i % 2]),
                               video=f"v{i}", snippet_segment=torch.arange(6),
                               snippet_len=torch.tensor([16]), num_snippets=torch.tensor([6]),
                               frame_gt=gt)

    torch.manual_seed(0)
    task = WeaklySupervisedVAD(VADFeatureFusion({"a": 3}, 6, mode="single"))
    good = [video(i, 16) for i in range(4)]
    m = evaluate_vad(task, good, out_dir=tmp_path, progress=False)
    frames = torch.cat([task.last_scores[i].repeat_interleave(16) for i in range(4)])
    assert m["auc"] == pytest.approx(roc_auc(frames, torch.cat([d.frame_gt for d in good])))
    with pytest.raises(ValueError, match=r"^video 'v0' has 48 frames of frame_gt but 6 snippets "
                                         r"x snippet_len 16 = 96 frames of scores: check "
                                         r"snippet_len"):
        evaluate_vad(task, [video(i, 8) for i in range(4)], out_dir=tmp_path, progress=False)


def test_check_test_videos_refuses_frame_labels_other_than_0_and_1():
    # a 0 / 255 mask passed (two values seen), and the run failed in the
    # metrics only after its whole training budget
    import torch

    from pyg_fusion.data import MultiSourceData
    from pyg_fusion.training.vad_split import check_test_videos

    def video(name, gt):
        return MultiSourceData(x_a=torch.zeros(2, 3), y=torch.tensor([int(gt.any())]),
                               video=name, frame_gt=gt)

    videos = [video("a", torch.tensor([0, 0, 1, 1])), video("b", torch.tensor([0, 255, 255, 0]))]
    with pytest.raises(ValueError, match=r"^test video 'b': frame_gt holds \[255\], expected "
                                         r"0 / 1 frame labels$"):
        check_test_videos(videos)
    videos[1].frame_gt = torch.tensor([False, True, True, False])
    check_test_videos(videos)  # bool labels are 0 / 1
    videos[0].frame_gt = torch.tensor([0.0, 0.5, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"^test video 'a': frame_gt holds \[0.5\]"):
        check_test_videos(videos)
