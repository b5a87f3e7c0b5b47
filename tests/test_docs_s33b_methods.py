"""What docs/methods.md says of a void class among the segmentation classes
(§2.5) and of the held-out videos a VAD run needs (§1.7), and docs/lego_api.md
of an all-zero row's gradient, is what the code does: each statement is quoted
from the page beside the behaviour it names."""
from pathlib import Path

import pytest
import torch

METHODS = Path(__file__).resolve().parent.parent / "docs" / "methods.md"


def _said(*quotes: str) -> None:
    text = " ".join(METHODS.read_text().split())
    for quote in quotes:
        assert quote in text, f"docs/methods.md no longer says {quote!r}: update this test"


def test_an_ignore_index_among_the_classes_is_left_out_of_both_means():
    from pyg_fusion.training.segmentation import segmentation_scores
    _said("An `ignore_index` that is one of the classes (0 for void) is left out of both means",
          "predicting it on a labelled pixel stays an error of the pixel accuracy")
    # class 0 void: predicted on 2 labelled pixels of class 1 (rows: truth)
    cm = torch.tensor([[0, 0, 0], [2, 4, 0], [0, 1, 3]])
    got = segmentation_scores(cm, ignore_index=0)
    assert got["pixel_acc"] == 7 / 10
    assert abs(got["mean_acc"] - (4 / 6 + 3 / 4) / 2) < 1e-12
    assert abs(got["miou"] - (4 / 7 + 3 / 4) / 2) < 1e-12
    # 255, outside the classes: the void class counts as any other
    assert segmentation_scores(cm, ignore_index=255) == segmentation_scores(cm)


def test_a_label_of_one_training_video_is_an_error_naming_val_fraction_0():
    from torch_geometric.data import Data
    from pyg_fusion.specs import check_options
    from pyg_fusion.training.vad_split import split_videos
    _said("Each label needs two or more training videos to hold one out (a label of one video "
          "is an error saying so); with fewer, `val_fraction=0` (`--val-fraction 0`) tests the "
          "last epoch, and what chooses on the held-out videos is then refused (`init` or "
          "`operator_warmup` `\"auto\"`, `restarts` above 1, `val_choice`")
    videos = [Data(y=torch.tensor([y]), video=f"v{i}") for i, y in enumerate([0, 0, 0, 1])]
    with pytest.raises(ValueError, match=r"only 1 abnormal video.*val_fraction=0"):
        split_videos(videos, 0.5)
    assert split_videos(videos, 0.0) == ([0, 1, 2, 3], [])
    for option in ({"restarts": 2}, {"val_choice": "pseudo_auc"}):
        with pytest.raises(ValueError, match="--val-fraction 0 holds none out"):
            check_options("vad", {"val_fraction": 0.0, **option}, ["lego"])


def test_the_lego_page_says_an_all_zero_rows_gradient_is_zero():
    # docs/methods.md §1.2 says so too; tests/test_docs_s33_spec.py checks the gradient
    from pyg_fusion.functional import dense_relation_graph
    text = " ".join((METHODS.parent / "lego_api.md").read_text().split())
    assert ("an all-zero feature row has cosine 0 to all others and 1 to itself, and gets no "
            "gradient" in text)
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    x[1] = 0
    x.requires_grad_(True)
    dense_relation_graph(x).sum().backward()
    assert bool((x.grad[1] == 0).all()) and bool(x.grad[0].abs().sum() > 0)
