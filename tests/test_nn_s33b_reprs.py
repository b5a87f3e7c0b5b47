"""A printed shared network shows how its private norms normalise: two
networks that print alike are built alike."""
from torch import nn

from pyg_fusion.nn.asym import ModalityNorm, share_across_modalities


def test_a_copied_batch_norms_switches_are_printed():
    # was: a network of BatchNorm2d(affine=False, track_running_stats=False)
    # printed as one of plain BNs, though it learns no scale and normalises by
    # the batch's statistics in evaluation too
    net = share_across_modalities(nn.Sequential(
        nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4, affine=False, track_running_stats=False)), 2)
    assert "eps=1e-05, momentum=0.1, affine=False, track_running_stats=False, input_dim=4" \
        in repr(net)
    plain = ModalityNorm.from_batchnorm(nn.BatchNorm2d(4, affine=False), 2)
    assert repr(plain).endswith("momentum=0.1, affine=False, input_dim=4)")


def test_default_norms_print_as_before():
    assert repr(ModalityNorm.from_batchnorm(nn.BatchNorm2d(4), 2)) == repr(ModalityNorm(4)) == (
        "ModalityNorm(4, num_modalities=2, norm='batch', frozen_stats=False, eps=1e-05, "
        "momentum=0.1, input_dim=4)")
    # an instance norm keeps no running statistics by design: nothing to flag
    assert "track_running_stats" not in repr(ModalityNorm(4, 2, "instance"))
