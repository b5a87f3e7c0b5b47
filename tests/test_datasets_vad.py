"""VADFeatures: the segments of a video's snippets, the RTFM / VadCLIP
layouts (stacked crops, per-crop files, label columns), ground truth per
video, finer-level sources, domains and the processed cache. SyntheticVAD:
tests/test_datasets_synthetic_vad.py."""
import os

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import VADFeatures, VADLayout
from pyg_fusion.datasets.segments import resample_segments, segment_scores_to_frames

# name -> (number of snippets, abnormal); abnormal videos first, as in RTFM's lists
VIDEOS = {"Shooting001": (7, 1), "Fight002": (3, 1), "Normal_003": (5, 0), "Normal_004": (9, 0)}


def _write(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, array.astype(np.float32))


def make_stacked_tree(raw, rng, crops=2, videos=VIDEOS):
    """RTFM layout: rgb/<name>_i3d.npy [T, crops, 6] and flow/<name>.npy
    [T, crops, 4], a list of rgb paths, a concatenated test ground truth."""
    feats = {}
    for name, (T, _) in videos.items():
        feats[name] = (rng.normal(size=(T, crops, 6)), rng.normal(size=(T, crops, 4)))
        _write(raw / "rgb" / f"{name}_i3d.npy", feats[name][0])
        _write(raw / "flow" / f"{name}.npy", feats[name][1])
    (raw / "list").mkdir(parents=True, exist_ok=True)
    (raw / "list" / "test.list").write_text(
        "".join(f"/abs/path/rgb/{n}_i3d.npy\n" for n in videos))
    gt = np.concatenate([np.full(T * 16, y, dtype=np.uint8) for T, y in videos.values()])
    gt[:5] = 0  # frame-level, not constant per video
    np.save(raw / "list" / "gt.npy", gt)
    return feats, gt


LAYOUT = dict(sources={"rgb": "rgb/{name}_i3d.npy", "flow": "flow"}, test_list="list/test.list",
              train_list="list/test.list", gt="list/gt.npy", num_abnormal=2)


@pytest.fixture()
def stacked(tmp_path):
    feats, gt = make_stacked_tree(tmp_path / "raw", np.random.default_rng(0))
    return tmp_path, feats, gt


def test_resample_segments_against_hand_computation():
    feat = np.arange(10, dtype=np.float64).reshape(5, 2)
    out, seg = resample_segments(feat, 3)
    # boundaries int(linspace(0, 5, 4)) = [0, 1, 3, 5]
    assert np.allclose(out, [feat[0], feat[1:3].mean(0), feat[3:5].mean(0)])
    assert seg.tolist() == [0, 1, 1, 2, 2]
    # T < N repeats snippets: boundaries [0, 0, 1, 1, 2]
    out, seg = resample_segments(feat[:2], 4)
    assert np.allclose(out, [feat[0], feat[0], feat[1], feat[1]])
    assert seg.tolist() == [1, 3]
    out, seg = resample_segments(feat, 5)
    assert np.allclose(out, feat) and seg.tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="num_segments"):
        resample_segments(feat, 0)


@settings(max_examples=60, deadline=None)
@given(T=st.integers(1, 80), N=st.integers(1, 40), seed=st.integers(0, 2**16))
def test_resample_segments_properties(T, N, seed):
    feat = np.random.default_rng(seed).normal(size=(T, 3))
    out, seg = resample_segments(feat, N)
    assert out.shape == (N, 3) and seg.shape == (T, )
    assert (np.diff(seg) >= 0).all() and seg.min() >= 0 and seg.max() < N
    if T <= N:  # no two snippets share a segment
        assert (np.diff(seg) > 0).all()
    for i in np.unique(seg):  # a segment that averages snippets averages exactly its own
        assert np.allclose(out[i], feat[seg == i].mean(0), atol=1e-5)
    r = np.linspace(0, T, N + 1).astype(int)  # RTFM's boundaries
    for i in np.setdiff1d(np.arange(N), seg):  # the others copy snippet r[i]
        assert np.allclose(out[i], feat[min(r[i], T - 1)], atol=1e-6)
    if T >= N:
        assert len(np.unique(seg)) == N


def test_stacked_layout_test_split(stacked):
    root, feats, gt = stacked
    ds = VADFeatures(str(root), "test", num_segments=4, log=False, **LAYOUT)
    assert len(ds) == 4 and [d.video for d in ds] == list(VIDEOS)
    assert [int(d.y) for d in ds] == [1, 1, 0, 0]
    d = ds[0]
    assert d.sources == ["flow", "rgb"] and d.num_nodes == 4
    rgb = feats["Shooting001"][0].astype(np.float32).mean(1)  # crops averaged
    ref, seg = resample_segments(rgb, 4)
    assert torch.allclose(d.x_rgb, torch.from_numpy(ref), atol=1e-6)
    assert d.x_flow.shape == (4, 4) and d.snippet_segment.tolist() == seg.tolist()
    assert int(d.num_frames) == 7 * 16 and int(d.snippet_len) == 16 and int(d.domain) == 0
    # ground truth: per video slices that concatenate back to the file
    assert torch.equal(torch.cat([x.frame_gt for x in ds]), torch.from_numpy(gt).long())
    batch = next(iter(DataLoader(ds, batch_size=4)))
    assert torch.equal(batch.frame_gt, torch.from_numpy(gt).long())
    scores = torch.arange(4.0)
    frames = segment_scores_to_frames(scores, d)
    assert frames.shape == d.frame_gt.shape
    assert torch.equal(frames[::16], scores[torch.from_numpy(seg)])


def test_segment_scores_to_frames_needs_one_score_per_segment_of_one_video(stacked):
    # N + 2 scores were cut silently to the first N, N - 1 failed on an index,
    # and a batch failed converting snippet_len to a number
    root, _, _ = stacked
    ds = VADFeatures(str(root), "test", num_segments=4, log=False, **LAYOUT)
    d = ds[0]
    msg = r"^scores must be a tensor \[N\] with one score per segment of video 'Shooting001' " \
          r"\(N = 4\), got "
    for scores, got in ((torch.arange(6.0), r"\(6,\)"), (torch.arange(3.0), r"\(3,\)"),
                        (torch.zeros(1, 4), r"\(1, 4\)"), ([0.0, 1.0, 2.0, 3.0], "list")):
        with pytest.raises(ValueError, match=msg + got + "$"):
            segment_scores_to_frames(scores, d)
    batch = next(iter(DataLoader(ds, batch_size=2)))
    with pytest.raises(ValueError, match=r"^data must be one video \(dataset\[i\]\), not a batch"):
        segment_scores_to_frames(torch.zeros(8), batch)
    frames = segment_scores_to_frames(torch.tensor([0.1, 0.2, 0.3, 0.4]), d)
    expected = torch.tensor([0.1, 0.2, 0.3, 0.4])[d.snippet_segment].repeat_interleave(16)
    assert frames.numel() == 7 * 16 and torch.equal(frames, expected)


def test_evaluation_scores_the_crops_of_a_video_as_one_video(stacked, tmp_path):
    # crops="all" test items were scored as videos of their own: every frame
    # counted once per crop, each crop's scores apart, not RTFM's crop mean
    from pyg_fusion.methods.vad import VADFeatureFusion
    from pyg_fusion.training.metrics import frame_level_metrics
    from pyg_fusion.training.vad import WeaklySupervisedVAD
    from pyg_fusion.training.vad_fit import evaluate_vad
    root, _, gt = stacked
    ds = VADFeatures(str(root), "test", num_segments=4, crops="all", log=False, **LAYOUT)
    assert len(ds) == 8 and [int(d.crop) for d in ds[:2]] == [0, 1]
    torch.manual_seed(0)
    task = WeaklySupervisedVAD(VADFeatureFusion({"flow": 4, "rgb": 6}, 4))
    m = evaluate_vad(task, ds, out_dir=tmp_path / "eval", progress=False)
    s = task.last_scores
    frames = [segment_scores_to_frames(s[2 * v:2 * v + 2].mean(0), ds[2 * v]) for v in range(4)]
    assert torch.equal(torch.cat([ds[2 * v].frame_gt for v in range(4)]),
                       torch.from_numpy(gt).long())
    assert m == {**frame_level_metrics(torch.cat(frames), torch.from_numpy(gt)), "epoch": 0}
    apart = frame_level_metrics([segment_scores_to_frames(s[i], ds[i]) for i in range(8)],
                                [d.frame_gt for d in ds])
    assert apart["auc"] != m["auc"]


def test_keep_T_and_crop_choices(stacked):
    root, feats, _ = stacked
    ds = VADFeatures(str(root), "train", num_segments=None, crops=1, log=False, **LAYOUT)
    d = ds[2]
    assert d.video == "Normal_003" and d.num_nodes == 5
    assert torch.equal(d.x_rgb, torch.from_numpy(feats["Normal_003"][0][:, 1]).float())
    assert "frame_gt" not in d  # ground truth only for the test split by default
    every = VADFeatures(str(root), "test", crops="all", log=False, **LAYOUT)
    assert len(every) == 8 and [int(x.crop) for x in every][:2] == [0, 1]
    with pytest.raises(ValueError, match="crops=5.*2 crops"):
        VADFeatures(str(root), "test", crops=5, log=False, **LAYOUT)


def test_per_crop_files_and_label_column(tmp_path):
    raw = tmp_path / "raw"
    rng = np.random.default_rng(1)
    lines = ["path,label"]
    for name, (T, y) in VIDEOS.items():
        for c in range(3):
            _write(raw / "clip" / f"{name}__{c}.npy", rng.normal(size=(T, 5)))
            lines.append(f"clip/{name}__{c}.npy,{'Abuse' if y else 'Normal'}")
        _write(raw / "text" / f"{name}_emb.npy", rng.normal(size=(T, 3)))
    (raw / "train.csv").write_text("\n".join(lines) + "\n")
    ds = VADFeatures(str(tmp_path), "train", num_segments=8, log=False,
                     sources={"clip": "clip/{name}__{crop}.npy", "text": "text/{name}_emb.npy"},
                     train_list="train.csv")
    assert [d.video for d in ds] == list(VIDEOS)
    assert [int(d.y) for d in ds] == [1, 1, 0, 0]
    crops = np.stack([np.load(raw / "clip" / f"Fight002__{c}.npy") for c in range(3)], 1)
    ref, _ = resample_segments(crops.mean(1), 8)
    assert torch.allclose(ds[1].x_clip, torch.from_numpy(ref), atol=1e-6)
    # the per-crop layout is also found from a bare folder, and names label
    by_name = VADFeatures(str(tmp_path), "train", num_segments=8, log=False,
                          sources={"clip": "clip"}, labels="name")
    assert sorted(d.video for d in by_name) == sorted(VIDEOS)
    assert {d.video: int(d.y) for d in by_name} == {n: y for n, (_, y) in VIDEOS.items()}


@pytest.mark.parametrize("normal,abnormal", [("0", "1"), ("False", "True"), ("0.0", "1.0")])
def test_label_column_of_numbers_or_booleans(tmp_path, normal, abnormal):
    raw = tmp_path / "raw"
    rng = np.random.default_rng(2)
    lines = []
    for name, (T, y) in VIDEOS.items():
        _write(raw / "clip" / f"{name}.npy", rng.normal(size=(T, 5)))
        lines.append(f"clip/{name}.npy,{abnormal if y else normal}")
    (raw / "train.csv").write_text("\n".join(lines) + "\n")
    ds = VADFeatures(str(tmp_path), "train", num_segments=4, log=False,
                     sources={"clip": "clip/{name}.npy"}, train_list="train.csv", labels="list")
    assert [int(d.y) for d in ds] == [y for _, y in VIDEOS.values()]


def test_vadclip_xd_violence_labels(tmp_path):
    """VadCLIP's XD-Violence CSV: the label column holds "A" for normal videos
    ("label_A" only in the file name) and "B1-0-0", ... for violent ones."""
    raw = tmp_path / "raw"
    videos = {"Bad.Boys.1995__#00-26-51_00-27-53_label_B2-0-0": ("B2-0-0", 1),
              "A.Beautiful.Mind.2001__#00-01-45_00-02-50_label_A": ("A", 0)}
    lines = ["path,label"]
    rng = np.random.default_rng(4)
    for name, (label, _) in videos.items():
        for crop in range(2):
            _write(raw / "clip" / f"{name}__{crop}.npy", rng.normal(size=(5, 4)))
            lines.append(f"/home/x/XDTrainClipFeatures/{name}__{crop}.npy,{label}")
    (raw / "train.csv").write_text("\n".join(lines) + "\n")
    ds = VADFeatures(str(tmp_path), "train", num_segments=4, log=False,
                     sources={"clip": "clip/{name}__{crop}.npy"}, train_list="train.csv")
    assert {d.video: int(d.y) for d in ds} == {n: y for n, (_, y) in videos.items()}
    # a label column without any normal video is an error under labels="auto"
    (raw / "all.csv").write_text("path,label\n" + "".join(
        f"clip/{n}__0.npy,B1\n" for n in videos))
    with pytest.raises(ValueError, match="every video would be abnormal.*--vad-labels list"):
        VADFeatures(str(tmp_path), "train", num_segments=4, log=False, force_reload=True,
                    sources={"clip": "clip/{name}__{crop}.npy"}, train_list="all.csv")


def test_list_file_with_a_byte_order_mark_and_crlf(tmp_path):
    raw = tmp_path / "raw"
    rng = np.random.default_rng(3)
    lines = ["path,label"]
    for name, (T, y) in VIDEOS.items():
        _write(raw / "clip" / f"{name}.npy", rng.normal(size=(T, 5)))
        lines.append(f"clip/{name}.npy,{y}")
    (raw / "train.csv").write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode())
    ds = VADFeatures(str(tmp_path), "train", num_segments=4, log=False,
                     sources={"clip": "clip/{name}.npy"}, train_list="train.csv", labels="list")
    assert [d.video for d in ds] == list(VIDEOS)
    assert [int(d.y) for d in ds] == [y for _, y in VIDEOS.values()]


def test_errors_name_the_video(stacked):
    root, _, gt = stacked
    raw = root / "raw"
    os.remove(raw / "flow" / "Fight002.npy")
    with pytest.raises(FileNotFoundError, match="'Fight002'.*'flow'"):
        VADFeatures(str(root), "test", log=False, **LAYOUT)
    _write(raw / "flow" / "Fight002.npy", np.zeros((4, 2, 4)))  # 4 snippets, rgb has 3
    with pytest.raises(ValueError, match="'Fight002'.*disagree"):
        VADFeatures(str(root), "test", log=False, **LAYOUT)
    _write(raw / "flow" / "Fight002.npy", np.zeros((3, 2, 4)))
    np.save(raw / "list" / "gt.npy", gt[:-10])
    with pytest.raises(ValueError, match="'Normal_004'.*too short"):
        VADFeatures(str(root), "test", log=False, **LAYOUT)
    np.save(raw / "list" / "gt.npy", np.concatenate([gt, gt[:3]]))
    with pytest.raises(ValueError, match="3 frames more.*'Normal_004'"):
        VADFeatures(str(root), "test", log=False, **LAYOUT)
    with pytest.raises(FileNotFoundError, match="nope.list"):
        VADFeatures(str(root), "test", log=False, **{**LAYOUT, "test_list": "nope.list"})
    with pytest.raises(ValueError, match="no video name matches"):
        VADFeatures(str(root), "test", log=False,
                    **{**LAYOUT, "num_abnormal": None, "normal_pattern": "zzz", "gt": None})
    with pytest.raises(ValueError, match="split"):
        VADFeatures(str(root), "val", log=False, **LAYOUT)


def test_per_video_ground_truth_too_short(stacked):
    root, *_ = stacked
    raw = root / "raw"
    (raw / "gt").mkdir()
    for name, (T, y) in VIDEOS.items():
        np.save(raw / "gt" / f"{name}.npy", np.full(T * 16 + 3, y, dtype=np.uint8))
    ds = VADFeatures(str(root), "test", log=False, **{**LAYOUT, "gt": "gt/{name}.npy"})
    assert [x.frame_gt.numel() for x in ds] == [T * 16 for T, _ in VIDEOS.values()]
    np.save(raw / "gt" / "Normal_003.npy", np.zeros(10, dtype=np.uint8))
    with pytest.raises(ValueError, match="'Normal_003'.*too short"):
        VADFeatures(str(root), "test", log=False, force_reload=True,
                    **{**LAYOUT, "gt": "gt/{name}.npy"})


def test_finer_level_source(stacked):
    root, *_ = stacked
    raw = root / "raw"
    rng = np.random.default_rng(2)
    for name, (T, _) in VIDEOS.items():
        _write(raw / "frames" / f"{name}.npy", rng.normal(size=(T * 4 - 1, 3)))
    layout = {**LAYOUT, "sources": {**LAYOUT["sources"], "frame": "frames"},
              "rates": {"frame": 4}}
    ds = VADFeatures(str(root), "test", num_segments=4, log=False, **layout)
    d = ds[0]  # 7 snippets, 27 frame units
    assert d.x_frame.shape == (27, 3) and d.assign_frame.shape == (27, )
    seg = d.snippet_segment
    assert torch.equal(d.assign_frame, seg[torch.arange(27) // 4])
    batch = next(iter(DataLoader(ds, batch_size=2)))
    assert int(batch.assign_frame.max()) >= 4  # offset by the first graph's nodes
    _write(raw / "frames" / "Fight002.npy", np.zeros((40, 3)))
    with pytest.raises(ValueError, match="'Fight002'.*'frame' has 40 units"):
        VADFeatures(str(root), "test", num_segments=4, log=False, force_reload=True, **layout)


def test_multi_domain_ids(tmp_path):
    rng = np.random.default_rng(3)
    make_stacked_tree(tmp_path / "raw" / "ped2", rng)
    other = {"Clip01": (4, 1), "Clip02": (6, 0)}
    make_stacked_tree(tmp_path / "raw" / "shtech", rng, videos=other)
    layouts = [VADLayout(**{**LAYOUT, "folder": "ped2"}),
               VADLayout(**{**LAYOUT, "folder": "shtech", "num_abnormal": 1})]
    ds = VADFeatures(str(tmp_path), "test", layouts, log=False)
    assert ds.domain_names == ["ped2", "shtech"]
    assert [int(d.domain) for d in ds] == [0, 0, 0, 0, 1, 1]
    assert [int(d.y) for d in ds][4:] == [1, 0]
    with pytest.raises(ValueError, match="same sources"):
        VADFeatures(str(tmp_path), "test", [layouts[0], VADLayout(sources={"x": "x"})],
                    log=False)


def test_processed_cache_reused_and_options_reprocess(stacked):
    root, feats, _ = stacked
    ds = VADFeatures(str(root), "test", num_segments=4, log=False, **LAYOUT)
    path = ds.processed_paths[0]
    mtime = os.stat(path).st_mtime_ns
    again = VADFeatures(str(root), "test", num_segments=4, log=False, **LAYOUT)
    assert again.processed_paths[0] == path and os.stat(path).st_mtime_ns == mtime
    other = VADFeatures(str(root), "test", num_segments=5, log=False, **LAYOUT)
    assert other.processed_paths[0] != path
    ref, _ = resample_segments(feats["Shooting001"][0].astype(np.float32).mean(1), 5)
    assert torch.allclose(other[0].x_rgb, torch.from_numpy(ref), atol=1e-6)
    seen = VADFeatures(str(root), "test", num_segments=4, log=False,
                       transform=lambda d: d.update({"t": torch.ones(1)}) or d, **LAYOUT)
    assert "t" in seen[0] and torch.equal(seen[0].x_rgb, ds[0].x_rgb)












def test_missing_vad_files_point_to_what_an_installed_package_has(tmp_path):
    # before: the error said "see the layouts in datasets/README.md", a file of
    # the repository that a wheel's user does not have
    import pyg_fusion.datasets
    with pytest.raises(FileNotFoundError) as err:
        VADFeatures(str(tmp_path), sources={"rgb": "rgb"}, train_list="train.list", log=False)
    text = str(err.value)
    assert "README" not in text and "train.list" in text
    assert "see help(pyg_fusion.datasets.VADLayout)" in text
    assert "{name}" in pyg_fusion.datasets.VADLayout.__doc__  # the layouts are described there


def test_vad_docstrings_point_to_what_an_installed_package_has():
    # before: vad's module docstring and SyntheticVAD's said "see datasets/README.md",
    # a file of the repository that a wheel's user does not have
    import pyg_fusion.datasets.vad as vad_module
    from pyg_fusion.datasets import SyntheticVAD
    for doc in (vad_module.__doc__, SyntheticVAD.__doc__):
        assert "README" not in doc
        assert "help(pyg_fusion.datasets.VADLayout)" in doc
