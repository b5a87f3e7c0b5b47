"""The tasks' LightningModules in a user's own ``lightning.Trainer``, with
Lightning's defaults (a sanity check before training, no callbacks of ours),
not through fit_node / fit_vad."""
import lightning as L
import pytest
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.datasets import SyntheticVAD
from pyg_fusion.methods import build_model
from pyg_fusion.training.stopping import OperatorWarmupAuto
from pyg_fusion.training.node import NodeClassification, single_graph_loader
from pyg_fusion.training.vad import IndexedDataset, WeaklySupervisedVAD
from test_training_node import _toy_graph


@pytest.fixture(scope="module")
def vad_sets(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("svad_user_trainer"))
    kw = dict(num_videos=(8, 7), snippets=(16, 24), num_segments=8, log=False)
    return SyntheticVAD(root, "train", **kw), SyntheticVAD(root, "test", **kw)


@pytest.fixture(scope="module")
def vad_train(vad_sets):
    return vad_sets[0]


def _vad_model(train):
    d = train[0]
    torch.manual_seed(0)
    return build_model("lego", "vad", {s: int(d[f"x_{s}"].size(1)) for s in d.sources},
                       num_segments=8)


def _trainer(tmp_path, **kwargs):
    kwargs = {"max_epochs": 2, "enable_checkpointing": False, **kwargs}
    return L.Trainer(default_root_dir=tmp_path, logger=False, enable_progress_bar=False,
                     enable_model_summary=False, **kwargs)


def test_an_auto_warmup_without_its_callback_is_an_error(vad_train, tmp_path):
    # without OperatorWarmupAuto nothing ever frees A: it trained as frozen
    model = _vad_model(vad_train)
    start = model.lego.fusion.A.detach().clone()
    loader = DataLoader(IndexedDataset(vad_train), batch_size=4)
    task = WeaklySupervisedVAD(model, operator_warmup="auto")
    with pytest.raises(ValueError, match="operator_warmup='auto'.*OperatorWarmupAuto callback"):
        _trainer(tmp_path).fit(task, loader)
    assert torch.equal(model.lego.fusion.A, start)
    # with the callback the warm-up runs (phase 1 at most 1 epoch: A trains after it)
    task = WeaklySupervisedVAD(model, operator_warmup="auto")
    cb = OperatorWarmupAuto("val_score", mode="max", patience=5, phase_epochs=1)
    _trainer(tmp_path, callbacks=[cb], num_sanity_val_steps=0).fit(task, loader, loader)
    assert task.operator_start_epoch == 1 and not torch.equal(model.lego.fusion.A, start)


def test_the_sanity_check_is_no_epoch_of_the_node_task(tmp_path):
    # the sanity check scored the untrained model and recorded it as epoch 0
    # (history held epoch 0 twice; best could be the untrained model)
    data = _toy_graph()
    torch.manual_seed(0)
    task = NodeClassification(build_model("lego", "node", {"a": 4, "b": 3}, num_classes=3,
                                          k=5, hidden_channels=16))
    loader = single_graph_loader(data)
    _trainer(tmp_path).fit(task, loader, loader)
    assert [m["epoch"] for m in task.history] == [0, 1]
    assert task.best == max(task.history, key=lambda m: m["val_acc"])


def test_the_sanity_check_of_a_few_videos_of_one_label_is_no_error(vad_train, tmp_path):
    # the first 2 batches of 2 videos are all abnormal: roc_auc refused them
    # before any training, though the whole held-out set holds both labels
    labels = [int(vad_train[i].y) for i in range(len(vad_train))]
    assert set(labels[:4]) == {1} and set(labels) == {0, 1}
    task = WeaklySupervisedVAD(_vad_model(vad_train))
    loader = DataLoader(IndexedDataset(vad_train), batch_size=2)
    trainer = _trainer(tmp_path, num_sanity_val_steps=2)
    trainer.fit(task, loader, loader)
    assert task.best["epoch"] in (0, 1) and "val_loss" in trainer.callback_metrics


def _resumed(make, fit, tmp_path, epochs, cut, callbacks=lambda: []):
    """The task of an uninterrupted run of ``epochs`` and of one stopped
    after ``cut`` epochs and resumed from its last.ckpt."""
    from lightning.pytorch.callbacks import ModelCheckpoint
    tasks = []
    for name, stop, resume in (("whole", epochs, None), ("cut", cut, None),
                               ("cut", epochs, tmp_path / "cut" / "last.ckpt")):
        task = make()
        ckpt = ModelCheckpoint(dirpath=tmp_path / name, save_last=True, save_top_k=0)
        trainer = _trainer(tmp_path, max_epochs=stop, num_sanity_val_steps=0,
                           enable_checkpointing=True, callbacks=[ckpt, *callbacks()])
        fit(trainer, task, resume)
        tasks.append(task)
    return tasks[0], tasks[2]


def _same_weights(a, b):
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(),
                                                  b.state_dict().values()))


def test_a_node_run_resumed_from_its_checkpoint_chooses_as_the_whole_run(tmp_path):
    # the best epoch (3) came before the interruption (after epoch 4): the
    # resumed run chose among epochs 4 and 5 only, another model (test 1.0
    # against the whole run's 0.933), its history lost
    data = _toy_graph()
    loader = single_graph_loader(data)

    def make():
        torch.manual_seed(0)
        return NodeClassification(build_model("lego", "node", {"a": 4, "b": 3},
                                              num_classes=3, k=5, hidden_channels=16,
                                              dropout=0.0))

    whole, resumed = _resumed(make, lambda t, task, ckpt: t.fit(task, loader, loader,
                                                                 ckpt_path=ckpt),
                              tmp_path, epochs=6, cut=4)
    assert _same_weights(whole, resumed)
    assert whole.best["epoch"] == 3 and resumed.best == whole.best
    assert resumed.history == whole.history


def test_a_vad_run_resumed_after_its_auto_warmup_keeps_the_operator_training(vad_train,
                                                                              tmp_path):
    # the switch epoch of operator_warmup="auto" (4) was not in the
    # checkpoint: the resumed run froze A again and freed it at epoch 6
    loader = DataLoader(IndexedDataset(vad_train), batch_size=4)
    d = vad_train[0]
    inch = {s: int(d[f"x_{s}"].size(1)) for s in d.sources}

    def make():
        torch.manual_seed(0)
        return WeaklySupervisedVAD(build_model("lego-cp", "vad", inch, num_segments=8),
                                   lr=0.05, operator_warmup="auto")

    whole, resumed = _resumed(
        make, lambda t, task, ckpt: t.fit(task, loader, loader, ckpt_path=ckpt), tmp_path,
        epochs=8, cut=5,
        callbacks=lambda: [OperatorWarmupAuto("val_score", mode="max", patience=2,
                                              phase_epochs=4)])
    assert whole.operator_start_epoch == resumed.operator_start_epoch == 4
    assert _same_weights(whole, resumed) and resumed.best == whole.best
    assert all(torch.equal(whole.best_state[k], v) for k, v in resumed.best_state.items())
    # the floor of min_epochs of a later phase is kept with the callback's counts
    cb = OperatorWarmupAuto("val_score", phase_epochs=4)
    cb.floor_start = 9
    other = OperatorWarmupAuto("val_score", phase_epochs=4)
    other.load_state_dict(cb.state_dict())
    assert other.floor_start == 9


def test_bf16_mixed_scores_and_chooses_on_float32_probabilities(vad_sets, tmp_path):
    # the test scores and the held-out video scores were sigmoids in
    # bfloat16 (autocast keeps sigmoid in 16 bits): the scores of a model
    # near its start took a handful of values, and the held-out loss that
    # chooses the epoch had steps of 2^-8
    from pyg_fusion.training.vad import segment_scores, video_scores
    logits = torch.tensor([[0.01, 0.02, 0.03, 0.04]], dtype=torch.bfloat16)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        got, video = segment_scores(logits), video_scores(logits, 2)
    assert got.dtype == video.dtype == torch.float32
    assert torch.equal(got, torch.sigmoid(logits.float())) and got.unique().numel() == 4
    assert video_scores(logits, 2).dtype == torch.bfloat16  # outside autocast: as given
    train, test = vad_sets
    task = WeaklySupervisedVAD(_vad_model(train))
    task.eval_dataset = test
    trainer = _trainer(tmp_path, precision="bf16-mixed")
    scores = {}
    for name, ds, run in (("test", test, trainer.test), ("val", train, trainer.validate)):
        loader = DataLoader(IndexedDataset(ds), batch_size=4)
        (logged, ) = run(task, loader, verbose=False)
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            scores[name] = torch.cat([task.model(b)[0] for b in loader]).float().sigmoid()
    assert task.last_scores.dtype == torch.float32
    assert torch.equal(task.last_scores, scores["test"])
    video = scores["val"].topk(task.topk, dim=1).values.mean(1)
    y = torch.tensor([float(d.y) for d in train])
    loss = torch.nn.functional.binary_cross_entropy(video.clamp(1e-6, 1 - 1e-6), y)
    # (a validate outside fit logs its scores and leaves the fit's record, best)
    assert logged["val_loss"] == pytest.approx(float(loss), abs=1e-6)


def test_a_test_pass_after_one_stopped_part_way_scores_only_its_own_batches(vad_sets,
                                                                               tmp_path):
    # the stopped pass left its first batch's scores, which the next pass
    # gathered first and kept: 4 of 7 videos scored by the earlier weights
    train, test = vad_sets
    task = WeaklySupervisedVAD(_vad_model(train))
    task.eval_dataset = test
    loader = DataLoader(IndexedDataset(test), batch_size=4)

    class Stop(L.Callback):
        def on_test_batch_end(self, *args):
            raise RuntimeError("stopped")

    with pytest.raises(RuntimeError, match="stopped"):
        _trainer(tmp_path, callbacks=[Stop()]).test(task, loader, verbose=False)
    with torch.no_grad():
        for p in task.model.parameters():
            p.add_(0.5)  # other weights, as another checkpoint's
    _trainer(tmp_path).test(task, loader, verbose=False)
    fresh = WeaklySupervisedVAD(task.model)
    fresh.eval_dataset = test
    _trainer(tmp_path).test(fresh, loader, verbose=False)
    assert torch.equal(task.last_scores, fresh.last_scores)
    assert task.last_metrics["auc"] == fresh.last_metrics["auc"]


def test_build_trainer_takes_the_callers_logger_and_names_its_own_options(tmp_path):
    # Lightning's options that build_trainer also set were a bare "got
    # multiple values for keyword argument" (a user's logger: impossible)
    from lightning.pytorch.callbacks import ModelSummary
    from lightning.pytorch.loggers import CSVLogger

    from pyg_fusion.training import build_trainer
    mine = CSVLogger(str(tmp_path / "mine"), name="run")
    assert build_trainer(tmp_path, logger=mine, progress=False).logger is mine
    assert build_trainer(tmp_path, logger=False, progress=False).logger is None
    default = build_trainer(tmp_path, progress=False)
    assert isinstance(default.logger, CSVLogger) and default.logger.name == "logs"
    assert not any(isinstance(c, ModelSummary) for c in default.callbacks)
    summary = build_trainer(tmp_path, progress=False, enable_model_summary=True)
    assert any(isinstance(c, ModelSummary) for c in summary.callbacks)
    for key, own in (("default_root_dir", "out_dir"), ("enable_checkpointing", "checkpoint"),
                     ("enable_progress_bar", "progress")):
        with pytest.raises(TypeError, match=f"from its own argument {own}: pass {own}="):
            build_trainer(tmp_path, **{key: False})


def test_evaluation_batches_without_their_positions_name_indexed_dataset(vad_sets, tmp_path):
    # a plain DataLoader of the videos was an AttributeError of PyG's
    # storage ('GlobalStorage' object has no attribute 'idx')
    train, test = vad_sets
    task = WeaklySupervisedVAD(_vad_model(train))
    task.eval_dataset = test
    trainer = _trainer(tmp_path, max_epochs=1, num_sanity_val_steps=0)
    with pytest.raises(ValueError, match=r"carry no idx .* IndexedDataset\(dataset\)"):
        trainer.fit(task, DataLoader(train, batch_size=4), DataLoader(train, batch_size=4))
    with pytest.raises(ValueError, match=r"carry no idx .* IndexedDataset\(dataset\)"):
        trainer.test(task, DataLoader(test, batch_size=4), verbose=False)
    trainer.test(task, DataLoader(IndexedDataset(test), batch_size=4), verbose=False)
    assert task.last_scores.shape == (len(test), 8)


def test_the_node_task_checks_the_masks_of_a_users_own_loader(tmp_path):
    # only fit_node checked them: 0/1 integer masks (as read from a file)
    # trained on rows 0 and 1 and scored rows 0 and 1, accuracies 1.0
    data = _toy_graph()
    for key in ("train_mask", "val_mask", "test_mask"):
        data[key] = data[key].long()
    torch.manual_seed(0)
    task = NodeClassification(build_model("lego", "node", {"a": 4, "b": 3}, num_classes=3,
                                          k=5, hidden_channels=16))
    loader = single_graph_loader(data)
    trainer = _trainer(tmp_path, num_sanity_val_steps=0)
    for run in (lambda: trainer.fit(task, loader, loader),
                lambda: trainer.test(task, loader, verbose=False)):
        with pytest.raises(ValueError, match=r"train_mask must be a bool mask .* mask\.bool\(\)"):
            run()
    # a graph of a user's own split may lack a mask: those present are checked
    data = _toy_graph()
    del data.val_mask
    data.test_mask[data.train_mask.nonzero()[0]] = True
    with pytest.raises(ValueError, match="train_mask and test_mask share 1 node"):
        trainer.test(task, single_graph_loader(data), verbose=False)
    data.test_mask &= ~data.train_mask
    trainer.test(task, single_graph_loader(data), verbose=False)
    assert set(task.last_metrics) == {"train_acc", "test_acc"}


def test_the_node_task_refuses_a_second_evaluation_batch(tmp_path):
    # each graph of the loader was scored as an epoch of its own: history two
    # entries per epoch, best one graph's accuracies (val 0.722, test 0.467)
    # where Lightning logged their mean (0.694, 0.433)
    from pyg_fusion.training.node import _first
    graphs = [_toy_graph(seed=0), _toy_graph(seed=1)]
    loader = torch.utils.data.DataLoader(graphs, batch_size=1, collate_fn=_first)
    torch.manual_seed(0)
    task = NodeClassification(build_model("graph-mean", "node", {"a": 4, "b": 3},
                                          num_classes=3, k=5, hidden_channels=16))
    trainer = _trainer(tmp_path, num_sanity_val_steps=0)
    for run in (lambda: trainer.fit(task, loader, loader),
                lambda: trainer.test(task, loader, verbose=False)):
        with pytest.raises(ValueError, match=r"transductive.*second batch.*single_graph_loader"):
            run()
    assert len(task.history) == 1  # the first graph, scored before the second came


@pytest.mark.parametrize("method", ["lego", "graph-mean", "single-a", "asym-shuffle"])
def test_a_node_model_trains_after_an_evaluation_in_inference_mode(method, tmp_path):
    # the fixed graph a node model caches was kept when made under
    # torch.inference_mode, and every later training step failed: 'Inference
    # tensors cannot be saved for backward' (Lightning's validate and test
    # run in inference mode)
    data = _toy_graph()
    torch.manual_seed(0)
    model = build_model(method, "node", {"a": 4, "b": 3}, num_classes=3, k=5,
                        hidden_channels=16)
    with torch.inference_mode():
        want = model.eval()(data)
    with torch.no_grad():
        assert torch.equal(model(data), want)  # the same graph, cached from here
    torch.nn.functional.cross_entropy(model.train()(data), data.y).backward()
    task = NodeClassification(model)
    loader = single_graph_loader(data)
    _trainer(tmp_path, num_sanity_val_steps=0).validate(task, loader, verbose=False)
    _trainer(tmp_path, num_sanity_val_steps=0).fit(task, loader, loader)
    assert [m["epoch"] for m in task.history][-2:] == [0, 1]


def test_a_run_resumed_within_an_epoch_starts_that_epochs_state(vad_train, tmp_path):
    # from a checkpoint taken within an epoch (every_n_train_steps) Lightning
    # goes on in that epoch without on_train_epoch_start: its end failed
    # ("no attribute '_t0'"), and a branch held off by the warm-up ran
    from lightning.pytorch.callbacks import ModelCheckpoint
    loader = DataLoader(IndexedDataset(vad_train), batch_size=2)  # 4 steps an epoch

    def make():
        return WeaklySupervisedVAD(_vad_model(vad_train), operator_warmup=3,
                                   branch_warmup=True)

    ckpt = ModelCheckpoint(dirpath=tmp_path / "ckpt", filename="step", every_n_train_steps=1,
                           save_top_k=1, monitor=None, enable_version_counter=False)
    _trainer(tmp_path, max_steps=6, num_sanity_val_steps=0, enable_checkpointing=True,
             callbacks=[ckpt]).fit(make(), loader, loader)
    seen = []

    class Record(L.Callback):
        def on_train_batch_start(self, trainer, task, *args):
            seen.append((trainer.current_epoch, task.branches()[0].branch_on))

    task = make()
    _trainer(tmp_path, max_epochs=3, num_sanity_val_steps=0,
             callbacks=[Record()]).fit(task, loader, loader,
                                       ckpt_path=tmp_path / "ckpt" / "step.ckpt")
    assert seen and not any(on for _, on in seen) and seen[0][0] == 1
    assert len(task.epoch_times) == 3  # epoch 0 (the checkpoint's), the resumed 1, and 2
