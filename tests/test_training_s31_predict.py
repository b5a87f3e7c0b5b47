"""What ``trainer.predict`` gives for each task (as the class docstrings
say), and the fits' batch size checked by name."""
import lightning as L
import pytest
import torch
from torch_geometric.loader import DataLoader

from pyg_fusion.methods import build_model


def _trainer(tmp_path):
    return L.Trainer(logger=False, enable_checkpointing=False, enable_progress_bar=False,
                     enable_model_summary=False, default_root_dir=tmp_path)


def _scenes(sizes):
    g = torch.Generator().manual_seed(0)
    return [{"rgb": torch.rand(3, h, h, generator=g), "depth": torch.rand(3, h, h, generator=g),
             "mask": torch.zeros(h, h, dtype=torch.long), "index": i}
            for i, h in enumerate(sizes)]


def test_segmentation_predicts_a_batch_of_scenes_of_several_sizes(tmp_path):
    # the evaluation loader batches test scenes by size (a list of one batch
    # per size), which predict handed to forward: "a batch of scenes must be a
    # dict ..., got list" (TypeError)
    from pyg_fusion.training._segmentation_loaders import _loader
    from pyg_fusion.training.segmentation import SegmentationModule
    from test_asym_user import TINY
    torch.manual_seed(0)
    module = SegmentationModule("asymfusion", 4, TINY).eval()
    scenes = _scenes([16, 32, 16])
    (out, ) = _trainer(tmp_path).predict(module, _loader(scenes, 3, False, 0))
    assert len(out) == 2  # the 16 x 16 scenes 0 and 2, then scene 1
    with torch.no_grad():
        for part, items in zip(out, ([scenes[0], scenes[2]], [scenes[1]])):
            want = module(torch.utils.data.default_collate(items))
            assert len(part) == len(module.output_names) == len(want)
            for got, w in zip(part, want):
                assert got.shape == (len(items), 4, *items[0]["mask"].shape)
                torch.testing.assert_close(got, w)
    (one, ) = _trainer(tmp_path).predict(module, _loader(scenes[:1], 3, False, 0))
    assert [o.shape for o in one] == [(1, 4, 16, 16)] * len(module.output_names)


@pytest.mark.parametrize("batch_size,error", [("2", TypeError), (2.0, TypeError),
                                              (True, TypeError), (0, ValueError)])
def test_fit_segmentation_names_a_batch_size_that_is_no_count(tmp_path, batch_size, error):
    # batch_size='2' failed inside torch's sampler: "'>' not supported between
    # instances of 'int' and 'str'"
    from pyg_fusion.training.segmentation import SegmentationModule, fit_segmentation
    from test_asym_user import TINY
    from pyg_fusion.training.segmentation import evaluate_segmentation
    module = SegmentationModule("asymfusion", 4, TINY)
    with pytest.raises(error, match="batch_size must be"):
        fit_segmentation(module, _scenes([16, 16]), out_dir=str(tmp_path / "fit"), max_epochs=1,
                         batch_size=batch_size, progress=False, checkpoint=False)
    with pytest.raises(error, match="batch_size must be"):
        evaluate_segmentation(module, _scenes([16, 16]), out_dir=str(tmp_path / "eval"),
                              batch_size=batch_size, progress=False)
    assert list(tmp_path.iterdir()) == []  # refused before the trainer made out_dir


def test_vad_predicts_the_snippet_scores(tmp_path):
    # Lightning's default step gave the model's (logits, G): G of the fusion,
    # and logits where the test ranks sigmoid scores
    from pyg_fusion.datasets import SyntheticVAD
    from pyg_fusion.training.vad import IndexedDataset, WeaklySupervisedVAD, segment_scores
    videos = SyntheticVAD(str(tmp_path), "test", num_videos=(2, 2), snippets=(16, 24),
                          num_segments=8, log=False)
    torch.manual_seed(0)
    d = videos[0]
    task = WeaklySupervisedVAD(build_model("lego-row", "vad", {
        s: int(d[f"x_{s}"].size(1)) for s in d.sources}, num_segments=8)).eval()
    loader = DataLoader(IndexedDataset(videos), batch_size=4)
    (got, ) = _trainer(tmp_path).predict(task, loader)
    with torch.no_grad():
        logits, _ = task.model(next(iter(loader)))
    assert isinstance(got, torch.Tensor) and got.shape == logits.shape == (len(videos), 8)
    torch.testing.assert_close(got, segment_scores(logits))
    assert bool(((got >= 0) & (got <= 1)).all())


@pytest.mark.parametrize("batch_size,error", [("2", TypeError), (0, ValueError)])
def test_fit_translation_names_a_batch_size_that_is_no_count(tmp_path, batch_size, error):
    # torch's loader: "batch_size should be a positive integer value, but got
    # batch_size=2" of the string '2', once out_dir had been made
    from pyg_fusion.training.translation import TranslationModule, fit_translation
    module = TranslationModule(["shade"], gan_mode="none", ngf=2, num_downs=3)
    with pytest.raises(error, match="batch_size must be"):
        fit_translation(module, [None], out_dir=str(tmp_path / "fit"), batch_size=batch_size,
                        max_epochs=1, progress=False, checkpoint=False)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("batch_size,error", [("2", TypeError), (0, ValueError)])
def test_fit_vad_names_a_batch_size_that_is_no_count(tmp_path, batch_size, error):
    # "'>' not supported between instances of 'int' and 'str'" (drop_last's test)
    from pyg_fusion.training.vad_fit import fit_vad
    model = build_model("graph-mean", "vad", {"a": 3}, num_segments=8)
    with pytest.raises(error, match="batch_size must be"):
        fit_vad(model, [None], [None], out_dir=str(tmp_path / "fit"), batch_size=batch_size,
                progress=False, checkpoint=False)
    assert list(tmp_path.iterdir()) == []
