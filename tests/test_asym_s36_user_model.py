"""AsymFusion in a user's own model (session 36): their backbone as a branch of
the two-stream baseline, and the exchanges under the transforms a demanding user
applies (gradients in float64, channels_last)."""
import pytest
import torch
from torch import nn

from pyg_fusion.nn.asym import (AsymFusionSegmenter, RefineNetDecoder, SeparateEncoders,
                                share_across_modalities)

# One graph (fullgraph=True) is checked on the torch that CI installs (2.13); older
# dynamo (2.5) breaks the graph at the modality context manager and at
# next(params, None), which the project allows (graph breaks, never errors):
# there the same outputs are asserted with the breaks
FULLGRAPH = tuple(int(v) for v in torch.__version__.split(".")[:2]) >= (2, 13)


class _Backbone(nn.Module):
    """A user's CNN returning its list of 4 feature levels."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1), nn.BatchNorm2d(8))
        self.convs = nn.ModuleList(nn.Conv2d(8, 8, 3, 2, 1) for _ in range(3))

    def forward(self, x):
        levels = [self.stem(x)]
        for conv in self.convs:
            levels.append(conv(levels[-1]))
        return levels


def test_a_backbone_shared_for_one_modality_is_a_branch_with_all_its_levels():
    # SeparateEncoders([share_across_modalities(backbone, 1), ...]) took the
    # branch's [levels] as the levels: only the first went on, the others were
    # dropped without a word (a decoder of one level took it)
    torch.manual_seed(0)
    backbones = [_Backbone(), _Backbone()]
    sep = SeparateEncoders([share_across_modalities(b, 1) for b in backbones]).eval()
    xs = [torch.randn(2, 3, 32, 32), torch.randn(2, 3, 32, 32)]
    levels = sep(xs)
    assert len(levels) == 4
    for s, level in enumerate(levels):
        assert len(level) == 2
        for b, x, got in zip(backbones, xs, level):
            torch.testing.assert_close(got, b.eval()(x)[s])
    seg = AsymFusionSegmenter(sep, RefineNetDecoder([8] * 4, 3, features=8, light=True)).eval()
    assert [tuple(o.shape) for o in seg(xs)] == [(2, 3, 32, 32)] * 3

    class Flat(nn.Module):
        def forward(self, x):
            return x
    with pytest.raises(ValueError, match=r"encoders\[1\] is a SharedModalityNetwork: its "
                                         r"network must return a list \(or a dict, in its order\) of feature levels"):
        SeparateEncoders([share_across_modalities(_Backbone(), 1),
                          share_across_modalities(Flat(), 1)])(xs)


def test_fid_kid_leave_the_warnings_filters_alone(tmp_path, monkeypatch):
    # KID was built inside warnings.catch_warnings() + filterwarnings('ignore', ...)
    # (to hide torchmetrics' 'will save all extracted features' UserWarning): the
    # filters of every thread of the process changed while it ran. Same scores
    import warnings

    from torch_geometric.loader import DataLoader

    from pyg_fusion.datasets.translation import SyntheticTranslation
    from pyg_fusion.training.translation import TranslationModule
    from pyg_fusion.training.translation_eval import FeatureExtractor, evaluate_translation

    calls = []

    def spy(name, call):
        def called(*args, **kwargs):
            calls.append(name)
            return call(*args, **kwargs)
        return called
    torch.manual_seed(0)
    scenes = SyntheticTranslation(str(tmp_path), "test", 8, 16, seed=0,
                                  modalities=["shade", "depth"], progress=False)
    module = TranslationModule(["shade", "depth"], ngf=4, num_downs=4, ndf=4, d_layers=2)
    features = FeatureExtractor(nn.Sequential(nn.AdaptiveAvgPool2d(2), nn.Flatten()), 16)
    for name in ("filterwarnings", "simplefilter", "catch_warnings"):
        monkeypatch.setattr(warnings, name, spy(name, getattr(warnings, name)))
    try:
        res = evaluate_translation(module, DataLoader(scenes, batch_size=3),
                                   feature_extractor=features, kid_subset_size=4)
    finally:
        monkeypatch.undo()
    assert calls == []
    assert all(set(r) >= {"fid", "kid", "kid_std"} for r in res.values())
    from torchmetrics.image.kid import KernelInceptionDistance
    with warnings.catch_warnings():  # the library's own class scores the same KID
        warnings.simplefilter("ignore")
        kid = KernelInceptionDistance(feature=features, subset_size=4)
    module.eval()
    for batch in DataLoader(scenes, batch_size=3):
        kid.update(batch.y, real=True)
        kid.update(module.translate(batch)["ensemble"], real=False)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        mean, std = kid.compute()
    assert (res["ensemble"]["kid"], res["ensemble"]["kid_std"]) == (float(mean), float(std))


@pytest.mark.parametrize("norm", ["instance", "batch"])
def test_an_empty_batch_translates_to_an_empty_batch(norm):
    # with norm='instance' an empty batch (a filtered batch, a rank's empty share)
    # raised torch's 'IndexError: select(): index 0 out of range' from the first
    # private norm; the batch norm's generator returned it empty
    from pyg_fusion.nn.asym import AsymFusionTranslator, ModalityNorm
    torch.manual_seed(0)
    gen = AsymFusionTranslator(2, ngf=8, num_downs=5, norm=norm)
    out = gen([torch.randn(0, 3, 32, 32)] * 2)
    assert tuple(out.ensemble.shape) == (0, 3, 32, 32)
    sum(b.sum() for b in out.branches).backward()
    assert all(p.grad is not None and not p.grad.any() for p in gen.down_norm[1].parameters())
    plain = ModalityNorm(4, 1, lambda c: nn.InstanceNorm2d(c))  # no affine of its own
    assert tuple(plain([torch.randn(0, 4, 3, 3)])[0].shape) == (0, 4, 3, 3)


def test_a_batch_norm_used_twice_stays_one_private_layer():
    # a user's block applying one conv + BN twice (weights tied): share_across_modalities
    # made the BN private at its first place only (named_children yields a module
    # once) and left the second a plain BN shared by both modalities, its
    # statistics mixed, without a word
    conv, bn = nn.Conv2d(3, 3, 3, padding=1), nn.BatchNorm2d(3)
    net = nn.Sequential(conv, bn, nn.ReLU(), conv, bn)
    shared = share_across_modalities(net, 2)
    assert shared.model[1] is shared.model[4]
    assert sum(p.numel() for p in shared.parameters()) == 84 + 2 * 6
    assert torch.equal(shared.model[1].norms[1].weight, bn.weight)
    tied = nn.Sequential(nn.Sequential(conv, bn), nn.Sequential(conv, bn))  # in two parents
    shared = share_across_modalities(tied, 2)  # were two private layers, trained apart
    assert shared.model[0][1] is shared.model[1][1]
    holder = nn.Sequential(nn.Conv2d(3, 3, 1), nn.BatchNorm2d(3))
    holder.register_module("empty", None)  # a slot registered empty is passed over
    assert share_across_modalities(holder, 2).model.empty is None


def test_threads_running_one_shared_network_keep_their_own_modality():
    # SharedModalityNetwork.modality(i) set every private BN's `active` attribute:
    # two threads running the same model (a server's requests) normalised with the
    # other thread's modality, without a word (140 of 200 concurrent calls wrong)
    import threading

    class Both(nn.Module):  # both threads inside their modality() at each BN
        def __init__(self):
            super().__init__()
            self.bn = nn.BatchNorm2d(2)
            self.inside = threading.Barrier(2)

        def forward(self, x):
            self.inside.wait(timeout=30)
            y = self.bn(x)
            self.inside.wait(timeout=30)
            return y

    shared = share_across_modalities(Both(), 2).eval()
    with torch.no_grad():
        shared.model.bn.norms[1].running_mean.fill_(5.0)
    x = torch.zeros(1, 2, 2, 2)
    got = {}

    def run(i):
        with shared.modality(i), torch.no_grad():
            got[i] = shared.model(x)
    threads = [threading.Thread(target=run, args=(i, )) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert float(got[0].mean()) == 0.0 and float(got[1].mean()) == pytest.approx(-5.0, abs=1e-4)
    shared.model.inside = threading.Barrier(1)
    with shared.modality(1):  # nested: the inner choice, then the outer's again
        with shared.modality(0), torch.no_grad():
            assert float(shared.model(x).mean()) == 0.0
        with torch.no_grad():
            assert float(shared.model(x).mean()) == pytest.approx(-5.0, abs=1e-4)


@pytest.mark.parametrize("mode", ["vanilla", "lsgan"])
def test_the_gan_loss_of_an_empty_batch_is_zero(mode):
    # the mean over no patch was NaN (a step on it made every weight NaN), where
    # asym_segmentation_loss gives 0 for no labelled pixel
    from pyg_fusion.nn.asym import PatchGANDiscriminator, gan_loss
    critic = PatchGANDiscriminator(6, ndf=4, num_layers=2)
    loss = gan_loss(critic(torch.randn(0, 6, 16, 16)), True, mode)
    loss.backward()
    assert loss.item() == 0.0 and all(not p.grad.any() for p in critic.parameters())
    logits = torch.tensor([[0.5, -1.0]])
    torch.testing.assert_close(gan_loss(logits, False, mode), (
        nn.functional.binary_cross_entropy_with_logits(logits, torch.zeros(1, 2))
        if mode == "vanilla" else (logits ** 2).mean()))


def test_a_shared_network_compiles_in_one_graph_with_each_modality_its_own_norms():
    # the thread's choice of modality (a ContextVar then) could not be traced:
    # fullgraph=True failed; the thread-local that holds it now is
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU())
    shared = share_across_modalities(net, 2)
    with torch.no_grad():
        shared.model[1].norms[1].running_mean.fill_(2.0)
    shared.eval()
    xs = [torch.randn(2, 3, 8, 8)] * 2
    want = shared(xs)
    got = torch.compile(shared, backend="eager", fullgraph=FULLGRAPH)(xs)
    assert not torch.allclose(want[0], want[1])
    for w, g in zip(want, got):
        torch.testing.assert_close(g, w)
    assert shared.model[1].active == 0


@pytest.mark.parametrize("reentrant", [False, True])
def test_checkpointing_inside_a_shared_network_is_refused_around_it_exact(reentrant):
    # torch.utils.checkpoint inside the shared network recomputed its layers in the
    # backward pass, after modality() had ended: modality 1 with modality 0's norms,
    # its gradients wrong without a word (a weight's gradient off by 80)
    from torch.utils.checkpoint import checkpoint

    class Net(nn.Module):
        def __init__(self, inside):
            super().__init__()
            self.inside = inside
            self.body = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4))

        def forward(self, x):
            return checkpoint(self.body, x, use_reentrant=reentrant) if self.inside \
                else self.body(x)

    torch.manual_seed(0)
    plain = share_across_modalities(Net(False), 2).eval()
    with torch.no_grad():
        plain.model.body[1].norms[1].weight.fill_(3.0)
    xs = [torch.randn(2, 3, 6, 6, requires_grad=True) for _ in range(2)]

    def grads(model, run):
        model.zero_grad()
        out = run(model)
        (out[0].sum() + 2 * out[1].sum()).backward()
        return [p.grad.clone() for p in model.parameters()]
    want = grads(plain, lambda m: m(xs))
    inside = share_across_modalities(Net(True), 2).eval()
    inside.load_state_dict(plain.state_dict())
    with pytest.raises(RuntimeError, match=r"activation checkpointing \(torch.utils.checkpoint\) "
                                           r"inside the shared network recomputes it"):
        grads(inside, lambda m: m(xs))
    # around it (as the error says; a reentrant checkpoint takes no list of inputs)
    got = grads(plain, lambda m: checkpoint(m, xs, use_reentrant=False))
    for w, g in zip(want, got):
        torch.testing.assert_close(g, w)


def test_an_instance_norm_critic_scores_an_empty_batch():
    # PatchGANDiscriminator(norm='instance') raised torch's 'IndexError: select():
    # index 0 out of range' for an empty batch; the batch-norm critic returned it empty
    from pyg_fusion.nn.asym import PatchGANDiscriminator, gan_loss
    for norm in ("instance", "batch", "none"):
        critic = PatchGANDiscriminator(6, ndf=4, num_layers=2, norm=norm)
        out = critic(torch.randn(0, 6, 16, 16))
        assert tuple(out.shape) == (0, 1, 2, 2)  # as a batch's: [2, 1, 2, 2]
        gan_loss(out, True).backward()
