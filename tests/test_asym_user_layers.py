"""AsymFusion's layers as a user's own model meets them: a CNN with a
BatchNorm1d head made shared, fusion blocks fed modalities of other sizes,
AsymTranslationFusion fed a map of other channels."""
import pytest
import torch


def test_share_across_modalities_privatises_batchnorm_1d_and_3d():
    # a CNN with a BatchNorm1d head kept that BN shared: the modalities' batches
    # mixed in one running mean, against 'convs shared, BN private'
    from pyg_fusion.nn.asym import ModalityNorm, share_across_modalities
    torch.manual_seed(0)
    cnn = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4),
                              torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 5),
                              torch.nn.BatchNorm1d(5))
    net = share_across_modalities(cnn, 2)
    assert isinstance(net.model[4], ModalityNorm) and net.model[4].input_dim == 2
    a, b = torch.randn(8, 3, 8, 8), torch.randn(8, 3, 8, 8)
    with torch.no_grad():
        out_a, out_b = net([a, b])
        feats = [net.model[3](net.model[2](net.model[1].norms[i](net.model[0](x))))
                 for i, x in enumerate((a, b))]
    for i, (out, f) in enumerate(((out_a, feats[0]), (out_b, feats[1]))):
        bn = net.model[4].norms[i]   # each modality's own statistics, as one BN alone
        assert torch.allclose(bn.running_mean, 0.1 * f.mean(0), atol=1e-6)
        assert torch.allclose(out, (f - f.mean(0)) / (f.var(0, unbiased=False) + 1e-5).sqrt(),
                              atol=1e-4)
    # [N, C, L] as BatchNorm1d, [N, C, D, H, W] as BatchNorm3d: each modality
    # normalised by its own batch, as a fresh BN of that kind alone
    for bn, shape, net in ((torch.nn.BatchNorm1d, (4, 3, 7), torch.nn.BatchNorm1d(3)),
                           (torch.nn.BatchNorm3d, (2, 3, 3, 4, 5),
                            torch.nn.Sequential(torch.nn.BatchNorm3d(3)))):
        shared = share_across_modalities(net, 2)
        xs = [torch.randn(*shape), 3 * torch.randn(*shape) + 1]
        for out, x in zip(shared(xs), xs):
            assert out.shape == shape
            torch.testing.assert_close(out, bn(3)(x))
    vol = share_across_modalities(torch.nn.Sequential(torch.nn.BatchNorm3d(2)), 2)
    with pytest.raises(ValueError, match=r"x must have 5 dimensions, got shape "
                                         r"\(2, 2, 4, 5\)"):
        vol([torch.randn(2, 2, 3, 4, 5), torch.randn(2, 2, 4, 5)])
    with pytest.raises(TypeError, match="bn must be a BatchNorm1d, BatchNorm2d or "
                                        "BatchNorm3d, got GroupNorm"):
        ModalityNorm.from_batchnorm(torch.nn.GroupNorm(1, 4), 2)


@pytest.mark.parametrize("block", ["bottleneck", "basic"])
def test_fusion_block_names_inputs_of_other_sizes(block):
    # the exchange's error showed the hidden mid-width maps ('xs[0] is (2, 4, 8, 8)')
    # where the caller had passed [2, 16, 8, 8] and [2, 16, 8, 9]
    from pyg_fusion.nn.asym import AsymFusionBasicBlock, AsymFusionBottleneck
    make = AsymFusionBottleneck if block == "bottleneck" else AsymFusionBasicBlock
    planes = 4 if block == "bottleneck" else 16
    fused, alone = make(16, planes, 2, fusion=True), make(16, planes, 2)
    a, b = torch.randn(2, 16, 8, 8), torch.randn(2, 16, 8, 9)
    with pytest.raises(ValueError, match=r"xs\[1\] is \(2, 16, 8, 9\) but xs\[0\] is "
                                         r"\(2, 16, 8, 8\): a fusion block exchanges"):
        fused([a, b])
    assert [tuple(o.shape) for o in alone([a, b])] == [(2, 16, 8, 8), (2, 16, 8, 9)]


def test_translation_fusion_names_an_input_of_other_channels():
    # a 15-channel input reached the shared 3x3 conv: 'weight of size [16, 16, 3, 3],
    # expected input[2, 15, 8, 8] to have 16 channels'
    from pyg_fusion.nn.asym import AsymTranslationFusion
    fuse = AsymTranslationFusion(16, 2)
    x = torch.randn(2, 16, 8, 8)
    with pytest.raises(ValueError, match=r"xs\[1\] has 15 channels \(shape \(2, 15, 8, 8\)\), "
                                         r"the layer expects channels = 16"):
        fuse([x, torch.randn(2, 15, 8, 8)])
    with pytest.raises(ValueError, match="expected 2 modality tensors, got 3"):
        AsymTranslationFusion(16, 2, shuffle=False)([x, x, x])
    out = fuse([x, x])   # equal inputs: shuffling swaps equal tails, the shifts are equal
    assert torch.allclose(out[0], out[1])

