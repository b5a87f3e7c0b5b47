"""What the docs say of LEGO's and AsymFusion's layers
(docs/lego_api.md, docs/methods.md, docs/asymfusion.md), held to the code."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _page(name: str) -> str:
    return " ".join((ROOT / name).read_text().split())


def test_the_image_models_keep_their_modalities_order_as_the_page_says():
    # 0d049b4: AsymFusionSegmenter / TranslationModule keep the order in the state dict
    said = _page("docs/asymfusion.md")
    assert ("one rebuilt with them in another order (`modalities=(\"depth\", \"rgb\")` for "
            "`(\"rgb\", \"depth\")`) refuses it in `load_state_dict`") in said
    assert "One modality loads under any name" in said
    from pyg_fusion.nn.asym import asym_fusion_segmenter
    kw = dict(num_classes=4, depth=None, layers=[1, 1, 1, 1], width=8, decoder_features=16,
              light=True)
    saved = asym_fusion_segmenter(modalities=("rgb", "depth"), **kw).state_dict()
    with pytest.raises(RuntimeError, match="build it with modalities in the saved order"):
        asym_fusion_segmenter(modalities=("depth", "rgb"), **kw).load_state_dict(saved)
    one = asym_fusion_segmenter(modalities=("x",), **kw).state_dict()
    asym_fusion_segmenter(modalities=("y",), **kw).load_state_dict(one)


def test_torch_func_over_lego_is_as_the_page_says():
    # 3b1fb7c: torch.func.grad over the dense backend; the sparse one refused
    said = _page("docs/lego_api.md")
    assert ("Under `torch.func` (`grad` over `functional_call(model, params, ...)`, as "
            "meta-learning loops take it) the dense backend gives autograd's gradients") in said
    assert "each is a `RuntimeError` naming it and what works instead (`backend=\"dense\"`" in said
    import torch
    from torch.func import functional_call, grad
    from pyg_fusion.nn import LEGO
    g = torch.Generator().manual_seed(0)
    xs = {"a": torch.randn(12, 4, generator=g), "b": torch.randn(12, 3, generator=g)}
    for backend in ("dense", "sparse"):
        torch.manual_seed(0)
        lego = LEGO({"a": 4, "b": 3}, 2, k=3, backend=backend, proj_channels=5)
        params = {k: v.detach() for k, v in lego.named_parameters()}

        def loss(p):
            return functional_call(lego, p, (xs,)).to_dense().square().sum()

        if backend == "sparse":
            with pytest.raises(RuntimeError, match="sparse backend.*backend='dense'"):
                grad(loss)(params)
            continue
        got = grad(loss)(params)
        lego(xs).to_dense().square().sum().backward()
        for name, p in lego.named_parameters():
            want = torch.zeros_like(p) if p.grad is None else p.grad
            torch.testing.assert_close(got[name], want, msg=name)


def test_shared_decoder_norms_and_narrow_networks_are_as_the_pages_say():
    # fb41ffd: share_decoder_norm=True mixes the running statistics in
    # evaluation; --width below 5 / --ngf below 3 exchange nothing at stage 1
    assert ("the decoder's one norm is applied to each modality's maps in turn, so a batch norm "
            "normalises each modality by its own batch statistics in training but, in "
            "evaluation, by running statistics that mix all modalities'") in _page("docs/methods.md")
    said = _page("docs/asymfusion.md")
    assert ("`segment train --width` below 5 leaves the first stage's fusion exchanging "
            "nothing, `translate train --ngf` below 3 the fusion at level 1") in said
    from pyg_fusion.training._image_configs import SegmentModelConfig, TranslateModelConfig
    assert "below 5 the first stage's fusion exchanges nothing" in \
        SegmentModelConfig.__dataclass_fields__["width"].metadata["help"]
    assert "below 3 the fusion at level 1 exchanges nothing" in \
        TranslateModelConfig.__dataclass_fields__["ngf"].metadata["help"]
    from pyg_fusion.nn.asym import AsymFusionTranslator
    gen = AsymFusionTranslator(2, ngf=4, num_downs=3, share_decoder_norm=True)
    # one norm in the decoder, the encoder's private
    assert len(gen.up_norm[1].norms) == 1 and len(gen.down_norm[1].norms) == 2


def test_forms_read_under_inference_mode_are_as_the_methods_page_says():
    # def6fa3: forms derived under inference mode from a graph made outside it
    # are not kept, so training after them still works
    assert ("Under `torch.inference_mode()` (logging, Lightning's validation) the other form and "
            "`dense_mask()` of a graph made outside it, any graph, a fixed one under a head that "
            "learns too, are returned and not kept") in _page("docs/methods.md")
    import torch
    from pyg_fusion.nn import LEGO, RowHead
    g = torch.Generator().manual_seed(0)
    xs = {"a": torch.randn(12, 4, generator=g), "b": torch.randn(12, 3, generator=g)}
    batch = torch.arange(2).repeat_interleave(6)
    lego = LEGO({"a": 4, "b": 3}, 2, k=3, backend="sparse")
    with torch.no_grad():
        fixed = lego(xs, batch)
    with torch.inference_mode():
        fixed.to_dense()
    head = RowHead(6)
    head(fixed.to_dense()).sum().backward()
    assert all(p.grad is not None for p in head.parameters())


def test_both_backends_prune_on_the_products_support_as_the_methods_page_says():
    # d70cf81: one prune rule; a zero-weight edge given as support keeps its
    # entries (and their gradient) in both backends
    assert ("both rank only the entries of the product's support (those that a path of edges, "
            "zero weights included, reaches through the kept entries of the power before"
            ) in _page("docs/methods.md")
    import torch
    from pyg_fusion.functional import dense_graph_powers, edges_to_dense, graph_powers
    g = torch.Generator().manual_seed(0)
    n = 7
    ei = torch.tensor([[j for i in range(n) for j in (i, (i + 1) % n, (i + 3) % n)],
                       [i for i in range(n) for _ in range(3)]])
    w = torch.rand(ei.size(1), generator=g, dtype=torch.float64)
    w[1] = 0.0  # a zero-weight edge, on the support
    w.requires_grad_(True)
    sparse_ei, attr = graph_powers(ei, w, n, 2, prune_k=4)
    got_sparse = torch.stack([edges_to_dense(sparse_ei, attr[:, p], max_num_nodes=n)[0]
                              for p in range(3)])
    support = edges_to_dense(ei, torch.ones(ei.size(1), dtype=torch.float64),
                             max_num_nodes=n)[0] > 0
    got_dense = dense_graph_powers(edges_to_dense(ei, w, max_num_nodes=n)[0], 2, prune_k=4,
                                   support=support)
    torch.testing.assert_close(got_dense, got_sparse)
    (gs,) = torch.autograd.grad(got_sparse.square().sum(), w)
    (gd,) = torch.autograd.grad(got_dense.square().sum(), w)
    torch.testing.assert_close(gd, gs)


def test_forward_mode_through_lego_is_as_the_page_says():
    # 6f645fc: jvp through the dense backend with cosine or dot; b8c57fe: rbf too
    assert ("`torch.func.jacfwd` and `torch.func.hessian` pass through the dense backend with "
            "cosine, dot and rbf graphs") in _page("docs/lego_api.md")
    import torch
    from torch.func import functional_call, grad, jvp
    from pyg_fusion.nn import LEGO
    g = torch.Generator().manual_seed(0)
    xs = {"a": torch.randn(8, 4, generator=g), "b": torch.randn(8, 3, generator=g)}
    for metric in ("cosine", "dot", "rbf"):
        lego = LEGO({"a": 4, "b": 3}, 2, backend="dense", metric=metric, proj_channels=5)
        params = {k: v.detach() for k, v in lego.named_parameters()}
        tangents = {k: torch.ones_like(v) for k, v in params.items()}

        def f(p):
            return functional_call(lego, p, (xs,)).to_dense().square().sum()

        jvp(grad(f), (params,), (tangents,))


def test_the_asymfusion_refusals_are_as_the_bad_input_page_says():
    # 4e15d95, 117dcd7, 2f641db
    said = _page("docs/bad_input.md")
    assert ("The network of `share_across_modalities` refuses a modality tensor of another "
            "floating dtype or device than the first, naming both.") in said
    assert ("`AsymFusionSegmenter` in training on a batch of one image whose deepest map is 1x1 "
            "names the BatchNorm layer and the remedies") in said
    import torch
    from pyg_fusion.nn.asym import asym_fusion_segmenter, share_across_modalities
    net = share_across_modalities(torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3),
                                                      torch.nn.BatchNorm2d(4)), num_modalities=2)
    with pytest.raises(TypeError, match=r"xs\[1\] is torch.float64 but xs\[0\] is torch.float32"):
        net([torch.randn(2, 3, 8, 8), torch.randn(2, 3, 8, 8, dtype=torch.float64)])
    model = asym_fusion_segmenter(num_classes=4, depth=None, layers=[1, 1, 1, 1], width=8,
                                  decoder_features=16, light=True).train()
    with pytest.raises(ValueError, match=r"BatchNorm layer .* frozen_stats=True, or call "
                                         r"model.eval\(\)"):
        model([torch.randn(1, 3, 32, 32), torch.randn(1, 3, 32, 32)])
