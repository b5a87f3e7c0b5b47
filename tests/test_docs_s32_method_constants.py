"""Values that docs/methods.md and README state of the methods' functions and
modules and that tests/test_docs_methods.py leaves out (the MIL pooling's k,
the rbf width, AsymFusion's group ratio, depth scale, ensemble start and the
translation loss's L1 weight, the VAD terms and the centring that are off,
knn_recall's sample, LEGO of one source, the encoder's one-block stages) are
the code's. Each statement is quoted from
its page, so that it cannot be edited away unnoticed."""
import inspect
import math
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _text(page: str) -> str:
    return " ".join((ROOT / page).read_text().split())


def _default(fn, param: str):
    return inspect.signature(fn).parameters[param].default


def _mil_k():
    import dataclasses
    from pyg_fusion.experiments import MethodSpec
    from pyg_fusion.training.vad import mil_topk_loss, video_scores
    task = {dataclasses.asdict(MethodSpec.create(m, "vad"))["objective"]["topk"]
            for m in ("lego", "lego-row", "graph-mean")}
    return task | {_default(video_scores, "k"), _default(mil_topk_loss, "k")}


def _rbf_gamma():
    # gamma None stands for 1 / d: the rbf graph of 1-d features 1 apart is exp(-1)
    import torch
    from pyg_fusion.functional import dense_relation_graph
    from pyg_fusion.nn import RelationGraph
    adj = dense_relation_graph(torch.tensor([[0.0], [1.0]], dtype=torch.float64), metric="rbf")
    return _default(RelationGraph, "gamma"), round(float(adj[0, 1]), 12)


def _ratio():
    from pyg_fusion.functional.asym import channel_shuffle, pixel_shift
    from pyg_fusion.nn.asym import AsymFusionTranslator
    return {_default(f, "ratio") for f in (channel_shuffle, pixel_shift, AsymFusionTranslator)}


def _ensemble_start():
    # the segmenter's (section 2.5) and the translator's, "as in section 2.5"
    import torch
    from pyg_fusion.nn.asym import AsymFusionTranslator, asym_fusion_segmenter
    seg = asym_fusion_segmenter(3, depth=None, layers=(1, 1, 1, 1), width=8,
                                decoder_features=8, light=True)
    gen = AsymFusionTranslator(num_modalities=2, ngf=4, num_downs=3)
    return all(torch.equal(m.alpha.detach(), torch.ones(2)) for m in (seg, gen))


def _depth_scale():
    from pyg_fusion.datasets import RGBDSegmentation
    return _default(RGBDSegmentation, "depth_scale")


def _lambda_l1():
    from pyg_fusion.training.translation import TranslationModule
    return _default(TranslationModule, "lambda_l1")


def _vad_off_terms():
    import dataclasses
    from pyg_fusion.experiments import MethodSpec
    out = set()
    for method in ("lego", "lego-row", "lego-cp", "graph-mean"):
        d = dataclasses.asdict(MethodSpec.create(method, "vad"))
        out.add((d["fusion"]["lambda_anchor"], d["objective"]["lambda_sparse"], d["head"]["center"]))
    return out


def _recall_sample():
    from pyg_fusion.functional import knn_recall
    return _default(knn_recall, "num_samples")


def _one_source():
    import torch
    from pyg_fusion.nn import LEGO
    lego = LEGO({"a": 3}, num_powers=2)
    graph = lego({"a": torch.randn(6, 3)})
    return sorted(lego.fusion.A), tuple(graph.to_dense().shape)


def _one_block_stages():
    # each stage's (fuses, stride) of its one block: the last block is the first
    from pyg_fusion.nn.asym import ResNetEncoder
    enc = ResNetEncoder("bottleneck", (1, 1, 1, 1), width=8)
    return [(block.fusion, block.conv2.stride[0])
            for block in (getattr(enc, f"layer{s}")[0] for s in range(1, 5))]


# (page, quoted statement, what it states, the value it states)
STATED = [
    ("docs/methods.md", "(the sigmoid probabilities of its `N` units; the mean of the `k = 3` "
     "highest)", _mil_k, {3}),
    ("docs/methods.md", "(`exp(-gamma ||f_i - f_j||^2)`, `gamma = 1/d` by default)", _rbf_gamma,
     (None, round(math.exp(-1.0), 12))),
    ("docs/methods.md", "with `g = floor(C / 5)` (`ratio = 0.2`)", _ratio, {0.2}),
    ("docs/methods.md", "learnable `alpha` (initialised to ones)", _ensemble_start, True),
    ("docs/methods.md", "PNG values scaled by 1/5000 (`depth_scale`;", _depth_scale, 1 / 5000),
    ("README.md", "with pix2pix's GAN + 100 x L1 on every branch", _lambda_l1, 100.0),
    ("docs/methods.md", "Two further terms are off by default: `lambda_anchor", _vad_off_terms,
     {(0.0, 0.0, False)}),
    ("docs/methods.md", "seeded sample of units (256 by default", _recall_sample, 256),
    ("docs/methods.md", "the pair is the source with itself, `G = sum_pq A[p, q] R^p ∘ R^q` with "
     "one operator (`a|a`)", _one_source, (["a|a"], (1, 6, 6))),
    ("docs/methods.md", "here the last block of a stage fuses also where it is the stage's first "
     "(one block per stage, as in the README's CPU-sized network): in stages 2, 3 and 4 the "
     "bottleneck's 3x3 convolution then has stride 2", _one_block_stages,
     [(True, 1), (True, 2), (True, 2), (True, 2)]),
]


@pytest.mark.parametrize("page,quote,actual,stated", STATED, ids=[q for _, q, _, _ in STATED])
def test_a_constant_the_docs_state_is_the_codes(page, quote, actual, stated):
    assert quote in _text(page), f"{page} no longer says {quote!r}: update STATED"
    assert actual() == stated


def test_the_translation_module_takes_the_range_readme_states():
    # README: TranslationModule trains "on images in [0, 1], inputs and target
    # alike (it maps them to the generator's [-1, 1] itself, and refuses others)"
    import torch
    from pyg_fusion.training.translation import TranslationModule
    assert "on images in [0, 1], inputs and target alike (it maps them to the generator's " \
           "[-1, 1] itself, and refuses others)" in _text("README.md")
    module = TranslationModule(["depth"], ngf=4, num_downs=3)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        module([torch.rand(1, 1, 8, 8) * 2 - 1])
