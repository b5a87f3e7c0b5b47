import pytest
import torch
from torch_geometric.data import Batch

from pyg_fusion.datasets import SyntheticVAD, segment_scores_to_frames
from torch_geometric.profile import count_parameters

from pyg_fusion.methods import build_model, method_names
from pyg_fusion.training import seed_everything
from pyg_fusion.training.metrics import frame_level_metrics
from pyg_fusion.training.accelerators import usable_cpus
from pyg_fusion.training.trainer import build_trainer
from pyg_fusion.training.vad import WeaklySupervisedVAD, mil_topk_loss, video_scores
from pyg_fusion.training.vad_fit import _loaders, fit_vad


@pytest.fixture(scope="module")
def vad_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad"))
    kw = dict(num_videos=(8, 7), snippets=(16, 24), num_segments=8, log=False)
    return SyntheticVAD(root, "train", **kw), SyntheticVAD(root, "test", **kw)


def _inch(ds):
    d = ds[0]
    return {s: int(d[f"x_{s}"].size(1)) for s in d.sources}


def test_mil_topk_loss_by_hand():
    logits = torch.tensor([[0.0, 2.0, -1.0, 1.0], [0.5, -0.5, 0.0, 0.0]])
    y = torch.tensor([1, 0])
    s = torch.sigmoid(logits)
    top = torch.stack([s[0, [1, 3]].mean(), s[1, [0, 2]].mean()])
    ref = -(torch.log(top[0]) + torch.log(1 - top[1])) / 2
    torch.testing.assert_close(mil_topk_loss(logits, y, k=2), ref)
    with pytest.raises(ValueError, match="logits must be"):
        mil_topk_loss(logits, torch.tensor([1, 0, 1]))


def test_mil_topk_loss_refuses_k_labels_and_nan_by_name():
    # k = 0 gave NaN video scores (video_scores) and an error from BCE about its
    # input; y = 0.5 trained silently; y = 2 and a NaN logit failed inside BCE
    logits = torch.tensor([[0.0, 2.0, -1.0, 1.0], [0.5, -0.5, 0.0, 0.0]])
    with pytest.raises(ValueError, match="^k must be >= 1, got 0$"):
        video_scores(logits, 0)
    with pytest.raises(ValueError, match="^k must be >= 1, got 0$"):
        mil_topk_loss(logits, torch.tensor([1, 0]), k=0)
    with pytest.raises(TypeError, match="^k must be an int, got 2.5$"):
        mil_topk_loss(logits, torch.tensor([1, 0]), k=2.5)
    for y, seen in ((torch.tensor([0.5, 1.0]), r"\[0.5, 1.0\]"), (torch.tensor([2, 0]), r"\[0, 2\]")):
        with pytest.raises(ValueError, match=r"^y must hold video labels 0 \(normal\) or 1 "
                                             r"\(abnormal\), got " + seen + "$"):
            mil_topk_loss(logits, y)
    bad = logits.clone()
    bad[1, 2] = float("nan")
    with pytest.raises(ValueError, match=r"^logits contain NaN \(in the videos at rows \[1\]"):
        mil_topk_loss(bad, torch.tensor([1, 0]))
    # bool / int / float labels are one loss, and an infinite logit is a score of 1
    ref = mil_topk_loss(logits, torch.tensor([1, 0]), k=2)
    for y in (torch.tensor([True, False]), torch.tensor([1.0, 0.0]), torch.tensor([[1], [0]])):
        torch.testing.assert_close(mil_topk_loss(logits, y, k=2), ref)
    inf = logits.clone()
    inf[0, 1] = float("inf")
    top = torch.stack([(1 + torch.sigmoid(torch.tensor(1.0))) / 2,
                       torch.sigmoid(logits[1, [0, 2]]).mean()])
    torch.testing.assert_close(mil_topk_loss(inf, torch.tensor([1, 0]), k=2),
                               -(torch.log(top[0]) + torch.log(1 - top[1])) / 2)


@pytest.mark.parametrize("method", ["concat", "mtn"])
def test_feature_level_vad_models_name_float64_features(method):
    # torch's message named a weight matrix ("mat1 and mat2 must have the same dtype")
    from pyg_fusion.data import MultiSourceData
    from pyg_fusion.methods.vad import VADFeatureFusion, VADMTN
    torch.manual_seed(0)
    model = (VADFeatureFusion if method == "concat" else VADMTN)({"a": 6, "b": 4}, 4)
    videos = [MultiSourceData(x_a=torch.randn(4, 6), x_b=torch.randn(4, 4), y=torch.tensor([y]))
              for y in (1, 0)]
    logits, g = model(Batch.from_data_list(videos))
    assert logits.shape == (2, 4) and g is None
    videos[1].x_b = videos[1].x_b.double()
    with pytest.raises(TypeError, match=r"^x_b is torch.float64 on cpu but the model's "
                                        r"parameters are torch.float32 on cpu"):
        model(Batch.from_data_list(videos))


@pytest.mark.parametrize("method", ["lego-row", "mtn"])
def test_vad_models_name_a_source_of_another_number_of_segments(method):
    # a batch failed in to_dense_batch ("The expanded size of the tensor (10) must
    # match the existing size (8)"), a single video of the MTN in torch.cat
    from pyg_fusion.data import MultiSourceData
    torch.manual_seed(0)
    model = build_model(method, "vad", {"a": 6, "b": 4}, num_segments=4)
    video = MultiSourceData(x_a=torch.randn(4, 6), x_b=torch.randn(5, 4), y=torch.tensor([1]))
    # a batch of such videos is refused by PyG's collation itself (1e9c58a)
    with pytest.raises(ValueError, match=r"cannot batch 'x_b': it has 5 rows, but 'x_a' has 4"):
        Batch.from_data_list([video, video])
    with pytest.raises(ValueError, match=r"^x_b has 5 rows, but the data has 4 segments "
                                         r"\(num_nodes\): a source without assign_b has one "
                                         r"row per segment$"):
        model(video)
    video.x_b = video.x_b[:4]
    logits, _ = model.eval()(Batch.from_data_list([video, video]))
    assert logits.shape == (2, 4) and torch.equal(logits[0], logits[1])


def test_fit_vad_drops_the_last_incomplete_training_batch(vad_data, tmp_path):
    # documented in fit_vad's batch_size: 8 training videos in batches of 3 are
    # 2 steps an epoch (6 videos), not 3
    train, test = vad_data
    assert len(train) == 8
    seed_everything(0)
    model = build_model("graph-product", "vad", _inch(train), num_segments=8)
    r = fit_vad(model, train, test, out_dir=tmp_path, epochs=2, batch_size=3, val_fraction=0,
                progress=False, checkpoint=False, seed=0)
    assert r["trainer"].global_step == 2 * 2


def test_indexed_dataset_leaves_the_callers_videos_alone():
    # fit_vad / evaluate_vad on a list of the caller's Data wrote idx into them
    from pyg_fusion.data import MultiSourceData
    from pyg_fusion.training.vad import IndexedDataset
    videos = [MultiSourceData(x_a=torch.full((3, 2), float(i)), y=torch.tensor([i % 2]))
              for i in range(3)]
    items = [IndexedDataset(videos)[i] for i in range(3)]
    assert [int(d.idx) for d in items] == [0, 1, 2]
    assert all("idx" not in v for v in videos)
    assert all(torch.equal(d.x_a, v.x_a) and torch.equal(d.y, v.y) for d, v in zip(items, videos))


def test_mil_topk_loss_keeps_the_dtype_of_the_logits():
    # the labels follow the scores' dtype (float32 labels against float64
    # scores were an error of binary_cross_entropy)
    logits = torch.tensor([[0.3, -1.2, 2.0, 0.1], [-0.4, 0.9, -2.0, 0.0]], dtype=torch.float64)
    y = torch.tensor([0, 1])
    top = torch.sigmoid(logits).topk(3, dim=1).values.mean(1)
    ref = -(torch.log(1 - top[0]) + torch.log(top[1])) / 2
    loss = mil_topk_loss(logits, y)
    assert loss.dtype == torch.float64
    torch.testing.assert_close(loss, ref, rtol=1e-12, atol=1e-12)


def test_every_vad_method_scores_each_segment(vad_data):
    train, _ = vad_data
    batch = Batch.from_data_list([train[i] for i in range(3)])
    names = method_names("vad", list(_inch(train)))
    assert {"lego", "lego-row", "lego-cp", "mtn", "graph-concat", "feature-product"} <= set(names)
    for name in names:
        torch.manual_seed(0)
        model = build_model(name, "vad", _inch(train), num_segments=8)
        logits, g = model(batch)
        assert logits.shape == (3, 8), name
        assert g is None or g.shape == (3, 8, 8), name
        (logits.sum() + (g.sum() if g is not None else 0)).backward()
        assert count_parameters(model) > 0


def test_a_finer_source_is_averaged_per_segment_by_every_vad_method(tmp_path):
    # VADFeatures' rates / SyntheticVAD's fine_sources keep a source's units
    # with assign_<source>: every VAD model scores the same as on the
    # segment means computed by hand
    kw = dict(num_videos=(6, 2), snippets=(16, 24), num_segments=8, log=False,
              fine_sources={"c3d": 3})
    fine = SyntheticVAD(str(tmp_path), "train", **kw)
    videos = [fine[i] for i in range(3)]
    pooled = []
    for v in videos:
        p = v.clone()
        p.x_c3d = torch.stack([v.x_c3d[v.assign_c3d == j].mean(0) for j in range(8)])
        del p.assign_c3d
        pooled.append(p)
    batch, ref = Batch.from_data_list(videos), Batch.from_data_list(pooled)
    assert batch.x_c3d.size(0) > 3 * 8
    for name in method_names("vad", list(_inch(fine))):
        torch.manual_seed(0)
        model = build_model(name, "vad", _inch(fine), num_segments=8).eval()
        with torch.no_grad():
            got, want = model(batch)[0], model(ref)[0]
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6, msg=name)
    bad = videos[0].clone()
    bad.assign_c3d = bad.assign_c3d.clamp(max=6)  # segment 7 left without units
    with pytest.raises(ValueError, match="every one of the 8 segments at least one unit"):
        build_model("lego", "vad", _inch(fine), num_segments=8)(Batch.from_data_list([bad]))
    bad.assign_c3d = videos[0].assign_c3d + 1  # a segment 8 of 8
    # refused when batched (it would point into the next video) ...
    with pytest.raises(ValueError, match=r"cannot batch 'assign_c3d': its ids span \[1, 8\]"):
        Batch.from_data_list([bad])
    # ... and by the model, given a batch changed after batching
    changed = Batch.from_data_list([videos[0]])
    changed.assign_c3d = changed.assign_c3d + 1
    with pytest.raises(ValueError, match=r"assign_c3d holds segment indices outside \[0, 8\)"):
        build_model("lego", "vad", _inch(fine), num_segments=8)(changed)


def test_fit_vad_is_deterministic_and_scores_frames(vad_data, tmp_path):
    train, test = vad_data
    runs = []
    for i in range(2):
        seed_everything(0)
        model = build_model("lego", "vad", _inch(train), num_segments=8)
        runs.append(fit_vad(model, train, test, out_dir=tmp_path / str(i), epochs=2,
                            batch_size=4, eval_every=2, progress=False, checkpoint=False))
    a, b = runs
    assert a["auc"] == b["auc"] and a["ap"] == b["ap"]
    # the task's metrics are those of its scores against the frame ground truth
    scores = a["task"].last_scores
    frames = [segment_scores_to_frames(scores[i], test[i]) for i in range(len(test))]
    ref = frame_level_metrics(frames, [test[i].frame_gt for i in range(len(test))])
    assert ref["auc"] == pytest.approx(a["auc"]) and ref["ap"] == pytest.approx(a["ap"])
    assert 0.0 <= a["auc"] <= 1.0 and a["time_per_epoch_s"] > 0


def _score(task, test, out, strategy):
    devices = 1 if strategy == "auto" else 2
    trainer = build_trainer(out, max_epochs=1, seed=0, devices=devices, strategy=strategy,
                            progress=False, checkpoint=False)
    _, ev = _loaders(None, test, 3, 0)
    trainer.test(task, ev, verbose=False)
    assert trainer.world_size == devices
    return {k: float(v) for k, v in trainer.callback_metrics.items()}


@pytest.mark.skipif(usable_cpus() < 2, reason="2 DDP processes on the CPU need 2 CPUs")
def test_ddp_two_processes_gather_the_same_metrics(vad_data, tmp_path, cpu_ddp):
    # 7 test videos over 2 ranks with batches of 3: uneven shards, padded by
    # the distributed sampler; the gathered metrics must still be exact.
    train, test = vad_data
    seed_everything(0)
    model = build_model("graph-mean", "vad", _inch(train), num_segments=8)
    task = WeaklySupervisedVAD(model)
    task.eval_dataset = test
    single = _score(task, test, tmp_path / "one", "auto")
    ddp = _score(task, test, tmp_path / "two", cpu_ddp)
    assert set(single) == {"test_auc", "test_ap", "test_pr_auc_trapz"}
    for key, value in single.items():
        assert ddp[key] == pytest.approx(value, abs=1e-12), key
