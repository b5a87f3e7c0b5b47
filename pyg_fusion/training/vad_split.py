"""The videos of a weakly supervised VAD run: the held-out ones, a
stratified, seeded split of the training videos by their video labels, which
keeps the items of one video (its crops) on one side
(:func:`~pyg_fusion.training.vad_fit.fit_vad`'s ``val_fraction``), or the
caller's own (its ``split``, checked); and the check of the test videos
(their frame ground truth, none a training video) before any training."""
from __future__ import annotations

import operator
from collections import Counter

import torch

from ..functional._checks import check_dropout
from .seeding import _checked_seed

__all__ = ["split_videos", "check_split", "check_test_videos"]


def split_videos(dataset, fraction: float, seed: int = 0) -> tuple[list[int], list[int]]:
    """Stratified, seeded split of a dataset's videos by their labels ``y``:
    ``(train indices, validation indices)`` with ``round(fraction * n_c)``
    videos of each class ``c`` held out (at least one of each class when
    ``fraction > 0`` and the class has two or more videos). Items of one
    video (the same ``video`` and ``domain``, e.g. one per crop) are one
    video: all held out or none.

    Args:
        dataset (torch.utils.data.Dataset): videos with a label ``y`` each.
        fraction (float): the share of each class held out, in ``[0, 1)``.
        seed (int, optional): the seed of the split. (default: :obj:`0`)
    """
    check_dropout("fraction", fraction)  # the check of a number in [0, 1)
    seed = _checked_seed(seed)  # torch's 'manual_seed expected a long' named no argument
    if len(dataset) == 0:  # (it was called 'the 0 training videos are all abnormal')
        raise ValueError("dataset holds no videos to split")
    # Items of one video (one per crop, VADFeatures(crops="all")) stay on one
    # side: a video is held out whole, or the held-out loss reads training data.
    items = [dataset[i] for i in range(len(dataset))]
    item_labels = []
    for i, d in enumerate(items):
        label = _label(d)
        if label not in (0, 1):  # int() made 0.5 a normal video, silently
            raise ValueError(f"video {getattr(d, 'video', i)!r} has the label y = {label!r}: "
                             f"expected 0 (normal) or 1 (abnormal)")
        item_labels.append(int(label))
    groups: dict = {}
    for i, key in enumerate(video_keys(items)):
        groups.setdefault(key, []).append(i)
    members = list(groups.values())
    if any(item_labels[i] != item_labels[m[0]] for m in members for i in m):
        raise ValueError("the items of one video (its crops) carry different labels y")
    labels = torch.tensor([item_labels[m[0]] for m in members])
    if labels.unique().numel() < 2:
        kind = "normal" if labels.numel() and int(labels[0]) == 0 else "abnormal"
        said = (f"the one training video is {kind}" if labels.numel() == 1
                else f"the {labels.numel()} training videos are all {kind}")
        raise ValueError(f"{said}: weakly "
                         "supervised training needs normal and abnormal videos; check how they "
                         "are labelled (VADLayout's labels, normal_pattern, num_abnormal; "
                         "pyg-fusion: --vad-labels, --vad-normal-pattern, --vad-num-abnormal)")
    if fraction == 0:
        return list(range(len(dataset))), []
    g = torch.Generator().manual_seed(seed)
    train, val = [], []
    for c in labels.unique().tolist():
        idx = (labels == c).nonzero().view(-1)
        idx = idx[torch.randperm(idx.numel(), generator=g)].tolist()
        m = round(fraction * len(idx))
        if len(idx) >= 2:
            m = min(max(m, 1), len(idx) - 1)
        else:
            m = 0
        val += idx[:m]
        train += idx[m:]
    if len(set(labels[val].tolist())) < 2:
        # only a label of one video gets here (of two or more, one is always held
        # out), where a larger val_fraction, which the message once asked for, changes nothing
        few = [f"{n} {kind} video" for kind, n in
               (("normal", int((labels == 0).sum())), ("abnormal", int((labels == 1).sum())))
               if n < 2]
        raise ValueError(f"the validation videos need both normal and abnormal videos, but the "
                         f"training split holds only {' and '.join(few)}: holding one out needs "
                         f"two or more of each label (one to train on, one held out); give more "
                         f"training videos of that label, or val_fraction=0 to test the last "
                         f"epoch (pyg-fusion: --val-fraction 0)")
    return (sorted(i for g in train for i in members[g]),
            sorted(i for g in val for i in members[g]))


def check_split(dataset, split) -> tuple[list[int], list[int]]:
    """``split``, the training and held-out videos a caller chooses in place
    of :func:`split_videos`' (:func:`~pyg_fusion.training.vad_fit.fit_vad`'s
    ``split``), as two lists of indices into ``dataset`` in the given order:
    ints in range, each once, some to train on, and no video (its crops are one) on both
    sides, where its held-out loss would read training data.

    Args:
        dataset (torch.utils.data.Dataset): the training videos.
        split (tuple): ``(training indices, held-out indices)``.
    """
    if not isinstance(split, (tuple, list)) or len(split) != 2:
        raise TypeError(f"split must be a pair (training indices, held-out indices), got "
                        f"{type(split).__name__}")
    n, parts = len(dataset), []
    for name, part in zip(("training", "held-out"), split):
        try:
            idx = [operator.index(i) for i in part]
        except TypeError:
            raise TypeError(f"split's {name} videos must be ints, indices into the "
                            f"dataset") from None
        bad = [i for i in idx if not 0 <= i < n]
        if bad:
            raise ValueError(f"split's {name} videos must be indices in [0, {n}), the "
                             f"dataset's {n} videos, got {bad[:5]}")
        twice = sorted(i for i, k in Counter(idx).items() if k > 1)
        if twice:  # a repeat trained on, or held out, that video twice, silently
            raise ValueError(f"split's {name} videos name {len(twice)} index(es) more than "
                             f"once, e.g. {twice[0]}: expected each video once")
        parts.append(idx)
    if not parts[0]:
        raise ValueError("split names no training video")
    keys = video_keys([dataset[i] for i in range(n)])
    both = sorted({keys[i] for i in parts[0]} & {keys[i] for i in parts[1]}, key=str)
    if both:
        raise ValueError(f"split holds {len(both)} video(s) on both sides, e.g. "
                         f"{both[0]!r} (an index twice, or crops of one video): a held-out "
                         f"video must not be trained on")
    return parts[0], parts[1]


def read_once(dataset):
    """``dataset``'s videos as a list, each read once, where reading one is a
    fixed function of the stored data: a PyG in-memory dataset read by PyG's
    ``get``, without a transform or with only its standardisation
    (:class:`~pyg_fusion.datasets.VADFeatures`' ``standardizer``). Training
    reads every video at every epoch, and each read z-scored the video
    again. Any other dataset (a transform of the user's, maybe random, which
    must not be frozen; a ``get`` of its own) is returned as given, read at
    every access.

    Args:
        dataset (torch.utils.data.Dataset): the videos.
    """
    from torch_geometric.data import InMemoryDataset
    if not isinstance(dataset, InMemoryDataset) or type(dataset).get is not InMemoryDataset.get:
        return dataset
    transform = dataset.transform
    if transform is not None and transform is not getattr(dataset, "standardizer", None):
        return dataset
    return [dataset[i] for i in range(len(dataset))]


def _label(data):
    """An item's video label ``y`` as one number, a tensor's or a plain
    int's (``data.y = 1``), unchecked."""
    return torch.as_tensor(data.y).view(-1)[0].item()


def _video_key(data) -> tuple[int, str] | None:
    video = getattr(data, "video", None)
    if video is None:
        return None
    return _domain_id(data), str(video)


def _domain_id(data) -> int:
    """An item's ``domain``, its domain's id: one integer (0 without one)."""
    if "domain" not in data:
        return 0
    domain = data.domain
    try:
        value = None if isinstance(domain, str) else torch.as_tensor(domain)
    except (TypeError, ValueError, RuntimeError):
        value = None
    # its first entry alone made the one-hot domains [0, 1, 0] and [0, 0, 1]
    # one domain (their videos of one name one video), and int() made 0.5 domain 0
    if (value is None or value.numel() != 1 or value.dtype == torch.bool or value.is_complex()
            or not bool(torch.isfinite(value).all()) or bool((value != value.round()).any())):
        raise ValueError(f"video {getattr(data, 'video', None)!r} has the domain {domain!r}: "
                         f"expected one integer, its domain's id (VADFeatures' "
                         f"torch.tensor([k]))")
    return int(value.view(-1)[0])


def video_keys(videos) -> list:
    """The video of each item of ``videos``: its domain (an integer id, 0
    without one) and name, or its position for an item without a name. The
    crops of one video (``VADFeatures(crops="all")``, one item each) share
    one key. The one reading of which items are one video: the split of the
    held-out videos, the pseudo-anomalies, the test's mean over crops and the
    check of the test videos all use it.

    Args:
        videos (Sequence[torch_geometric.data.Data]): the items.
    """
    return [i if key is None else key for i, key in enumerate(map(_video_key, videos))]


def check_test_videos(test_ds, train_ds=None, *, ground_truth: bool = True) -> bool:
    """Before any training: the test videos carry 0 / 1 frame ground truth of
    both classes (the test metrics need it; without this check a run learns for
    its whole budget and then fails) and a video label 0 / 1 where they have
    one (``y``, which the test's scores record), and none of them is also a training
    video (the same name in the same domain reads the same feature files,
    e.g. a train split found from the feature folder that holds the test
    videos too). Returns whether they carry ground truth.

    Args:
        test_ds (torch_geometric.data.Dataset): the test videos.
        train_ds (torch_geometric.data.Dataset, optional): the training videos.
            (default: :obj:`None`)
        ground_truth (bool, optional): the ground truth is required; with
            :obj:`False`, videos of which none has any are scores without
            metrics (new videos), while some with and some without are still
            refused. (default: :obj:`True`)
    """
    seen = set()
    if not ground_truth and not any("frame_gt" in test_ds[i] for i in range(len(test_ds))):
        seen = None  # scored only: the checks of the labels below
    for i in range(len(test_ds)):
        data = test_ds[i]
        if seen is not None and "frame_gt" not in data:
            raise ValueError(f"test video {getattr(data, 'video', i)!r} has no frame_gt: the "
                             "test videos need frame-level ground truth (VADLayout's gt; "
                             "pyg-fusion: --vad-gt FILE; --vad-gt none is for evaluate, "
                             "which scores a trained checkpoint's new videos)")
        if "y" in data:
            # scores.json records the label of each tested video as an int: 0.5 was 0
            try:
                label = torch.as_tensor(data.y).view(-1)
            except (TypeError, ValueError, RuntimeError):
                label = torch.empty(0)
            if label.numel() != 1 or label.is_complex() or float(label[0]) not in (0.0, 1.0):
                whole = (label.numel() == 1 and not label.is_complex() and label.dtype != torch.bool
                         and float(label[0]).is_integer() and float(label[0]) > 1)
                # a class index (UCF-Crime's 14 classes) recorded as a video label
                # would mark its video abnormal or normal by the class's number
                how = ("; a class index? The test records each video's label 0 / 1 (its "
                       "scores file, the plot's abnormal videos): set y = 1 for the abnormal "
                       "classes and 0 for the normal one (data.y = (data.y != NORMAL).long()) "
                       "and keep the class in an attribute of its own (data.cls)"
                       if whole else "")
                raise ValueError(f"test video {getattr(data, 'video', i)!r} has the label y = "
                                 f"{data.y!r}: expected a video label 0 (normal) or 1 "
                                 f"(abnormal){how}")
        if seen is None:
            continue
        values = set(data.frame_gt.view(-1).unique().tolist())
        if not values <= {0, 1}:
            # (e.g. a 0/255 mask): the metrics refused it only after training
            raise ValueError(f"test video {getattr(data, 'video', i)!r}: frame_gt holds "
                             f"{sorted(values - {0, 1})[:3]}, expected 0 / 1 frame labels")
        seen |= values
    if seen is not None and len(seen) == 1:
        kind = "anomalous (1)" if seen == {1} else "normal (0)"
        raise ValueError(f"the frame ground truth of the {len(test_ds)} test videos holds only "
                         f"{kind} frames: ROC-AUC and AP need both; check the ground truth "
                         "file and which videos the test list names (pyg-fusion: --vad-gt, "
                         "--vad-test-list)")
    if train_ds is None:
        return seen is not None
    train = {_video_key(train_ds[i]) for i in range(len(train_ds))} - {None}
    both = sorted({_video_key(test_ds[i]) for i in range(len(test_ds))} & train)
    if both:
        raise ValueError(f"{len(both)} test video(s) are also training videos (e.g. "
                         f"{[v for _, v in both[:3]]}): the test scores would measure training "
                         "data; give the training split its own videos (VADLayout's "
                         "train_list; pyg-fusion: --vad-train-list)")
    return seen is not None
