"""Evaluation of AsymFusion image translation (this module does not import
:mod:`.translation`, which imports it): every output of a
:class:`~pyg_fusion.training.translation.TranslationModule` scored with L1,
PSNR and SSIM (torchmetrics), and with FID / KID when a local Inception
feature extractor is given (:func:`load_feature_extractor`; nothing is
downloaded); the metrics table and the metrics file. The figure is
:mod:`.translation_figure`'s, re-exported here."""
from __future__ import annotations

import os
import os.path as osp
from typing import TYPE_CHECKING, Iterable

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torchmetrics import MeanAbsoluteError, MetricCollection
from torchmetrics.image import PeakSignalNoiseRatio

from .._files import write_json, write_text
from .._versions import library_versions
from ..functional._checks import check_int
# the feature network's side and the figure's rows default to translate evaluate's
from ._image_configs import TranslateEvalConfig
from ._precision import model_precision_batch
from ._ssim import ImageSSIM
from ._translation_inputs import _target, _target_valid, _with_target_holes
from .translation_figure import save_translation_figure  # noqa: F401 (its import path)

if TYPE_CHECKING:
    from .translation import TranslationModule

ENSEMBLE = "ensemble"


def image_metrics() -> MetricCollection:
    r"""L1 (mean absolute error), PSNR and SSIM for images in ``[0, 1]``, each
    over every image scored, whatever the batches: L1 the mean over all pixels,
    PSNR :math:`10 \log_{10}(1 / \mathrm{MSE})` of the mean squared error over
    all pixels (torchmetrics' reduction, not the mean of per-image PSNRs, which
    weighs the best-fitting images more), SSIM the mean of per-image SSIMs (ImageSSIM)."""
    return MetricCollection({
        "l1": MeanAbsoluteError(),
        "psnr": PeakSignalNoiseRatio(data_range=1.0),
        "ssim": ImageSSIM(data_range=1.0),
    })


def update_metrics(metrics: MetricCollection, img: Tensor, y: Tensor,
                   valid: Tensor | None = None) -> None:
    """Adds images ``img`` scored against ``y`` to :func:`image_metrics`'
    ``metrics``. Where the target has a mask of its valid pixels ``valid``
    (``[B, 1, H, W]`` bool, e.g. a depth target's pixels with depth), L1 and
    PSNR count those pixels only; SSIM, which compares windows, sees ``img``
    with the target's own values elsewhere (those pixels match, so images with
    large holes score higher SSIM).

    Args:
        metrics (torchmetrics.MetricCollection): :func:`image_metrics`' metrics.
        img (torch.Tensor): outputs ``[B, C, H, W]`` in ``[0, 1]``.
        y (torch.Tensor): targets ``[B, C, H, W]`` in ``[0, 1]``.
        valid (torch.Tensor, optional): the target's valid pixels ``[B, 1, H, W]``.
            (default: :obj:`None`: every pixel)
    """
    if valid is None:
        metrics.update(img, y)
        return
    pixels = valid.expand_as(y)
    for name, metric in metrics.items(copy_state=False):
        if name == "ssim":
            metric.update(_with_target_holes(img, y, valid), y)
        else:
            metric.update(img[pixels], y[pixels])


@torch.no_grad()
def translate_batch(module: TranslationModule, batch) -> dict[str, Tensor]:
    """Evaluation-mode outputs (``[0, 1]``) of ``module`` on one batch.

    Args:
        module (TranslationModule): the model.
        batch (torch_geometric.data.Batch): scenes with ``x_<modality>`` attributes.
    """
    was = module.training
    module.eval()
    try:
        # a module fitted under a true precision ("64-true") is in its dtype
        return module.translate(model_precision_batch(module, batch.to(module.device)))
    finally:
        module.train(was)


# ----------------------------------------------------------------- FID / KID
class FeatureExtractor(nn.Module):
    """Wraps a user's Inception-style network for FID / KID: resizes images in
    ``[0, 1]`` to ``image_size`` (bilinear), feeds them as float ``[B, 3, S, S]``
    and flattens the output to ``[B, D]``.

    Args:
        net (torch.nn.Module): the feature network (images ``[B, 3, S, S]`` in ``[0, 1]``).
        image_size (int, optional): its input side ``S``. (default: :obj:`299`)
    """

    def __init__(self, net: nn.Module,
                 image_size: int = TranslateEvalConfig.inception_size):
        super().__init__()
        self.net = net
        self.image_size = check_int("image_size", image_size, minimum=1)
        # the probe's draw is not the caller's: it moved torch's global generator
        # (a model built after loading the extractor had other initial weights)
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            probe = self.net(torch.rand(2, 3, image_size, image_size))
        if isinstance(probe, (tuple, list)):
            probe = probe[0]
        if not isinstance(probe, Tensor) or probe.dim() < 2 or \
                probe.size(0) != 2:
            raise ValueError(f"the feature extractor must return [B, D] "
                             f"features, got "
                             f"{tuple(getattr(probe, 'shape', ())) or probe!r}")
        self.num_features = int(probe.flatten(1).size(1))

    def forward(self, x: Tensor) -> Tensor:
        x = x.float()
        if x.size(1) == 1:
            x = x.expand(-1, 3, -1, -1)
        if tuple(x.shape[-2:]) != (self.image_size, self.image_size):
            x = F.interpolate(x, size=(self.image_size, self.image_size),
                              mode="bilinear", align_corners=False)
        f = self.net(x)
        if isinstance(f, (tuple, list)):
            f = f[0]
        return f.flatten(1)


def _exported_program_file(path: str) -> bool:
    """Whether ``path`` is an archive of ``torch.export.save`` (a PT2 archive,
    or the older zip with a ``version`` entry): torch.export.load logs its
    failure on any other file as a warning with a traceback, on the
    console, before it raises."""
    import zipfile
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    return "version" in names or any(n.rsplit("/", 1)[-1] == "archive_format" for n in names)


def load_feature_extractor(path: str, image_size: int = TranslateEvalConfig.inception_size
                           ) -> FeatureExtractor:
    """Loads a local feature network for FID / KID: a TorchScript file
    (``torch.jit.save``) or an exported program (``torch.export.save``,
    ``.pt2``). It receives float images in ``[0, 1]``, ``[B, 3, S, S]`` with
    ``S = image_size``, and returns ``[B, D]`` (e.g. Inception-v3 pool
    features, D = 2048). Nothing is downloaded: torchmetrics' default
    extractor would fetch torch-fidelity weights from the internet.

    Args:
        path (str): a TorchScript or ``torch.export`` file.
        image_size (int, optional): the network's input side. (default: :obj:`299`)
    """
    if osp.isdir(path):
        raise IsADirectoryError(f"Inception checkpoint {path!r} is a folder; expected a "
                                f"TorchScript or torch.export file")
    if not osp.isfile(path):
        raise FileNotFoundError(f"Inception checkpoint {path!r} does not exist")
    errors, exported = [], False
    try:
        net = torch.jit.load(path, map_location="cpu")
    except Exception as exc:  # not TorchScript: try an exported program
        errors.append(f"TorchScript: {exc.__class__.__name__}")
        try:
            if not _exported_program_file(path):
                raise ValueError("not an archive of torch.export.save")
            net, exported = torch.export.load(path).module(), True
        except Exception as exc2:
            errors.append(f"torch.export: {exc2.__class__.__name__}")
            raise ValueError(
                f"cannot read Inception checkpoint {path!r} as a TorchScript "
                f"file or an exported program ({'; '.join(errors)}); save the "
                f"network with torch.jit.save or torch.export.save") from exc2
    # an exported program's mode was fixed when it was exported: its module
    # refuses eval() (NotImplementedError)
    if isinstance(net, nn.Module) and not exported:
        net.eval()
    return FeatureExtractor(net, image_size)


# --------------------------------------------------------------- evaluation
def _kid(real: Tensor, fake: Tensor, subset_size: int, subsets: int = 100
         ) -> tuple[Tensor, Tensor]:
    """KID's mean and std over ``subsets`` random subsets, as torchmetrics'
    KernelInceptionDistance computes them from its kept features (its polynomial
    MMD, the same draws of torch's generator, the same numbers). Not the class
    itself: its constructor warns, every time, that it keeps the features
    (a UserWarning in every translate evaluate), and a warnings filter around it
    changed process-wide state."""
    from torchmetrics.image.kid import poly_mmd

    scores = []
    for _ in range(subsets):
        f_real = real[torch.randperm(real.size(0))[:subset_size]]
        f_fake = fake[torch.randperm(fake.size(0))[:subset_size]]
        scores.append(poly_mmd(f_real, f_fake, degree=3, gamma=None, coef=1.0))
    scores = torch.stack(scores)
    return scores.mean(), scores.std(unbiased=False)


def _num_scenes(loader: Iterable) -> int | None:
    """How many scenes a (PyG or torch) DataLoader gives, or None where
    that is not known before iterating."""
    sampler = getattr(loader, "sampler", None)
    if (getattr(loader, "batch_size", None) is None or getattr(loader, "drop_last", True)
            or not hasattr(sampler, "__len__")):
        return None
    return len(sampler)


def _check_fid_scenes(n: int | None) -> None:
    if n == 1:  # a covariance of one image's features is no statistic (none: empty data)
        raise ValueError("feature_extractor (--inception): FID and KID need at least "
                         "2 test scenes, the data holds 1; score it without one")


@torch.no_grad()
def evaluate_translation(module: TranslationModule, loader: Iterable, *,
                         feature_extractor: nn.Module | None = None,
                         kid_subset_size: int = 1000,
                         progress: bool = False) -> dict[str, dict[str, float]]:
    """Scores every output of ``module`` (each branch and the ensemble)
    against the target: ``{output: {"l1", "psnr", "ssim"[, "fid", "kid",
    "kid_std"]}}``. FID / KID are computed by torchmetrics (FrechetInceptionDistance;
    KernelInceptionDistance's polynomial MMD over 100 random subsets) on the features
    of ``feature_extractor`` (see :func:`load_feature_extractor`).
    Where the scenes mark the target's valid pixels (``valid_<target>``, e.g. a
    depth target's pixels with depth), L1 and PSNR count those only; SSIM, FID and
    KID see whole images, each output given the target's own values elsewhere
    (:func:`update_metrics`), so both sides show the same holes.

    Args:
        module (TranslationModule): the trained model.
        loader (Iterable): batches of scenes with targets ``y``.
        feature_extractor (torch.nn.Module, optional): features for FID / KID.
            (default: :obj:`None`, no FID / KID)
        kid_subset_size (int, optional): KID's subset size, ``>= 2`` (at most the number of
            images). (default: :obj:`1000`)
        progress (bool, optional): show a progress bar. (default: :obj:`False`)
    """
    from tqdm.auto import tqdm
    from torchmetrics.image.fid import FrechetInceptionDistance

    # KID's unbiased estimate divides by m (m - 1) for subsets of m images: a subset of 1
    # scored NaN without a word, and torchmetrics named its own 'subset_size' (refusing
    # numpy's ints); checked before any scene is translated
    kid_subset_size = check_int("kid_subset_size", kid_subset_size, minimum=2)
    if feature_extractor is not None:
        # a loader of one scene was translated and scored whole before FID / KID
        # were refused: refused first where the loader tells its number of scenes
        _check_fid_scenes(_num_scenes(loader))
    # translate_batch scores in eval mode and gives the caller's mode back
    metrics = {o: image_metrics() for o in module.output_names}
    # FID per output; KID's features (every one kept: its subsets are drawn from them)
    gen, kid_real, kid_fake = {}, [], {}
    if feature_extractor is not None:
        for o in module.output_names:
            gen[o] = FrechetInceptionDistance(feature=feature_extractor, normalize=False)
            kid_fake[o] = []
    n, scored = 0, 0
    for batch in tqdm(loader, disable=not progress, desc="evaluating"):
        imgs = translate_batch(module, batch)
        y = _target(batch, module.hparams.out_channels, imgs[ENSEMBLE],
                    scored=True).cpu()
        valid = _target_valid(batch, module.modalities, y)
        n += y.size(0)
        scored += y[:, :1].numel() if valid is None else int(valid.sum())
        for name, img in imgs.items():
            img = img.to(y.dtype).cpu()  # scored in the scenes' dtype (a float64 model's too)
            update_metrics(metrics[name], img, y, valid)
            # FID / KID compare whole images: the output shows the target's holes
            img = _with_target_holes(img, y, valid)
            if name in gen:
                gen[name].update(y, real=True)
                gen[name].update(img, real=False)
                kid_fake[name].append(feature_extractor(img))
        if gen:
            kid_real.append(feature_extractor(y))
    if n == 0:
        raise ValueError("the evaluation data is empty")
    if scored == 0:  # L1 and PSNR of no pixel: NaN
        raise ValueError("the targets have no valid pixel (their valid_<target> masks are "
                         "all False): nothing to score")
    results = {}
    for name in module.output_names:
        res = {k: float(v) for k, v in metrics[name].compute().items()}
        if name in gen:
            _check_fid_scenes(n)
            res["fid"] = float(gen[name].compute())
            # KID's subsets are drawn from torch's global generator: the same model
            # scored twice gave two KIDs (another subset order sums otherwise in
            # float32). The same draws every call, every output's from one seed, none
            # from the caller's generator
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(0)
                kid_mean, kid_std = _kid(torch.cat(kid_real), torch.cat(kid_fake[name]),
                                         min(kid_subset_size, n))
            res["kid"], res["kid_std"] = float(kid_mean), float(kid_std)
        results[name] = res
    return results


# ------------------------------------------------------------ reports
def metrics_table(results: dict[str, dict[str, float]]) -> str:
    """A Markdown table of :func:`evaluate_translation`'s results.

    Args:
        results (dict[str, dict[str, float]]): :func:`evaluate_translation`'s result.
    """
    keys = list(next(iter(results.values())))
    lines = ["| output | " + " | ".join(keys) + " |",
             "|---|" + "---:|" * len(keys)]
    for name, res in results.items():
        lines.append(f"| {name} | " + " | ".join(
            f"{res[k]:.4f}" for k in keys) + " |")
    return "\n".join(lines)


def save_metrics(results: dict[str, dict[str, float]], out_dir: str,
                 extra: dict | None = None) -> str:
    """Writes ``metrics.json`` and ``metrics.md`` under ``out_dir`` (atomically)
    and prints the table; returns the JSON path. ``metrics.json`` names the
    versions that computed the scores (``versions``, as every record of the
    graph tasks: :func:`~pyg_fusion._versions.library_versions`).

    Args:
        results (dict[str, dict[str, float]]): :func:`evaluate_translation`'s result.
        out_dir (str): the folder.
        extra (dict, optional): more keys of ``metrics.json``. (default: :obj:`None`)
    """
    os.makedirs(out_dir, exist_ok=True)
    payload = {**(extra or {}), "metrics": results, "versions": library_versions()}
    path = osp.join(out_dir, "metrics.json")
    write_json(path, payload, indent=2)
    table = metrics_table(results)
    if payload.get("split"):  # validation after train, test after evaluate
        n = payload.get("scenes")
        scenes = f" ({n} scene{'s' if n != 1 else ''})" if n else ""
        table = f"scores on the {payload['split']} split{scenes}\n\n{table}"
    write_text(osp.join(out_dir, "metrics.md"), table + "\n")
    print(table)
    return path
