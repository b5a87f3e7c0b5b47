"""The image tasks' Python API (training.segmentation, training.translation)
against the CLI's typed configs (experiments.image_config): a default is the
config field's, or the Args entry says why it differs."""
import inspect
import re

import pytest

from pyg_fusion.experiments.image_config import (SegmentDataConfig, SegmentModelConfig,
                                                 SegmentTrainConfig, TranslateDataConfig,
                                                 TranslateEvalConfig, TranslateModelConfig)
from pyg_fusion.training.segmentation import (SegmentationModule, evaluate_segmentation,
                                              fit_segmentation)
from pyg_fusion.training.translation import TranslationModule, fit_translation
from pyg_fusion.training.translation_eval import (FeatureExtractor, load_feature_extractor,
                                                  save_translation_figure)

TINY = dict(depth=None, block="bottleneck", layers=[1, 1, 1, 1], width=8,
            decoder_features=8, light=True)

# (function, argument) -> the config field that the CLI passes to it
SAME = {
    (SegmentationModule, "variant"): (SegmentModelConfig, "variant"),
    (SegmentationModule, "num_classes"): (SegmentDataConfig, "num_classes"),
    (SegmentationModule, "lr"): (SegmentTrainConfig, "lr"),
    (SegmentationModule, "weight_decay"): (SegmentTrainConfig, "weight_decay"),
    (fit_segmentation, "max_epochs"): (SegmentTrainConfig, "epochs"),
    (fit_segmentation, "batch_size"): (SegmentDataConfig, "batch_size"),
    (fit_segmentation, "seed"): (SegmentTrainConfig, "seed"),
    (fit_segmentation, "num_workers"): (SegmentDataConfig, "workers"),
    (evaluate_segmentation, "batch_size"): (SegmentDataConfig, "batch_size"),
    (TranslationModule, "norm"): (TranslateModelConfig, "modality_norm"),
    (TranslationModule, "gan_mode"): (TranslateModelConfig, "gan_mode"),
    (TranslationModule, "lambda_l1"): (TranslateModelConfig, "lambda_l1"),
    (TranslationModule, "lambda_gan"): (TranslateModelConfig, "lambda_gan"),
    (TranslationModule, "lr"): (TranslateModelConfig, "lr"),
    (fit_translation, "max_epochs"): (TranslateModelConfig, "epochs"),
    (fit_translation, "batch_size"): (TranslateDataConfig, "batch_size"),
    (fit_translation, "seed"): (TranslateDataConfig, "seed"),
    (load_feature_extractor, "image_size"): (TranslateEvalConfig, "inception_size"),
    (FeatureExtractor, "image_size"): (TranslateEvalConfig, "inception_size"),
    (save_translation_figure, "max_rows"): (TranslateEvalConfig, "num_figure"),
}
# the layer's own default, kept on purpose: (function, argument) -> the CLI's flag
DIFFERENT = {
    (TranslationModule, "ngf"): "--ngf",
    (TranslationModule, "num_downs"): "--num-downs",
    (TranslationModule, "ndf"): "--ndf",
    (TranslationModule, "d_layers"): "--d-layers",
    (SegmentationModule, "arch"): "--layers",
}


def _default(fn, name):
    fn = fn.__init__ if inspect.isclass(fn) else fn
    return inspect.signature(fn).parameters[name].default


def _args_entry(obj, name) -> str:
    doc = inspect.getdoc(obj)
    m = re.search(rf"^    {name} \([^)]*\):(.*?)(?=^    \w+ \(|^    \*\*|\Z)", doc,
                  re.S | re.M)
    assert m, f"{obj.__name__} documents no {name}"
    return " ".join(m.group(1).split())


@pytest.mark.parametrize("fn,name", list(SAME), ids=[f"{f.__name__}.{n}" for f, n in SAME])
def test_the_api_default_is_the_config_field(fn, name):
    # fit_translation trained 4 images per step where translate train trains 16
    cls, field = SAME[(fn, name)]
    assert _default(fn, name) == getattr(cls(), field)


def test_fit_translation_trains_the_batches_of_translate_train():
    assert _default(fit_translation, "batch_size") == 16 == TranslateDataConfig().batch_size


@pytest.mark.parametrize("fn,name", list(DIFFERENT),
                         ids=[f"{f.__name__}.{n}" for f, n in DIFFERENT])
def test_a_default_that_differs_from_the_cli_says_so(fn, name):
    text = _args_entry(fn, name)
    assert "[differs from the CLI]" in text and DIFFERENT[(fn, name)] in text, text


def test_the_translation_networks_default_to_their_layers_sizes():
    # 'pix2pix's, as AsymFusionTranslator and PatchGANDiscriminator': one set of sizes,
    # and the CLI's own values named in the Args
    from pyg_fusion.nn.asym import AsymFusionTranslator, PatchGANDiscriminator
    for ours, layer, theirs in (("ngf", AsymFusionTranslator, "ngf"),
                                ("num_downs", AsymFusionTranslator, "num_downs"),
                                ("ndf", PatchGANDiscriminator, "ndf"),
                                ("d_layers", PatchGANDiscriminator, "num_layers"),
                                ("d_norm", PatchGANDiscriminator, "norm")):
        assert _default(TranslationModule, ours) == _default(layer, theirs), ours
    cli = TranslateModelConfig()
    assert (_default(TranslationModule, "ngf"), cli.ngf) == (64, 16)
    assert f"--ngf`` is {cli.ngf}" in _args_entry(TranslationModule, "ngf")
    assert f"--ndf`` is {cli.ndf}" in _args_entry(TranslationModule, "ndf")
    assert f"--d-layers`` is {cli.d_layers}" in _args_entry(TranslationModule, "d_layers")


def test_the_segmenter_without_arch_is_not_the_clis_network():
    # documented: arch=None is asym_fusion_segmenter's ResNet-50; the CLI's is 1,1,1,1
    cli = SegmentModelConfig()
    assert (cli.depth, cli.block, tuple(cli.layers)) == (None, "bottleneck", (1, 1, 1, 1))
    text = _args_entry(SegmentationModule, "arch")
    assert "ResNet-50" in text and "--layers 1,1,1,1" in text


def test_the_image_modules_reprs_tell_them_apart():
    a = SegmentationModule("asymfusion", 5, TINY)
    b = SegmentationModule("shuffle", 5, TINY)
    assert repr(a) != repr(b)
    assert repr(b).splitlines()[1].strip() == ("variant='shuffle', num_classes=5, lr=0.002, "
                                               "weight_decay=1e-05, ignore_index=255")
    kw = dict(ngf=2, num_downs=3, ndf=2)
    t = TranslationModule(["shade", "depth"], **kw)
    u = TranslationModule(["shade", "depth"], shuffle=False, gan_mode="lsgan", **kw)
    assert repr(t) != repr(u)
    assert repr(u).splitlines()[1].strip() == (
        "modalities=['shade', 'depth'], ratio=0.2, shift=1, shuffle=False, use_shift=True, "
        "dropout=0.0, gan_mode='lsgan', lambda_l1=100.0, lambda_gan=1.0, lr=0.0002, beta1=0.5")
