"""How an image module's training scenes were read (a translation module's
``image_size`` and folders read as depth, a segmentation module's depth
scale and RGB normalisation), recorded in its hyper-parameters so that a
prediction reads new scenes the same way: the data set that holds the
reading (:func:`read_from`) and the one rule of recording it
(:func:`record_reading`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from torch.utils.data import Dataset, Subset

if TYPE_CHECKING:
    import lightning as L


def read_from(ds: Dataset) -> Dataset:
    """``ds``, or the data set under its :class:`~torch.utils.data.Subset`
    (``random_split``'s parts, nested ones too): the one whose attributes say
    how the scenes are read."""
    while isinstance(ds, Subset):
        ds = ds.dataset
    return ds


def record_reading(module: L.LightningModule, name: str, value, what: str, reads: str,
                   advice: str = "", key: Callable = lambda v: v) -> None:
    """``module.hparams[name] = value``, how ``what`` (``"train"``, ``"val"``)
    ``reads`` its scenes, unless the module was given (or trained with)
    another (compared by ``key``): a :class:`ValueError` naming both and
    ending in ``advice`` (a prediction reads one way only)."""
    had = module.hparams.get(name)
    if had is not None and key(had) != key(value):
        shown = list(had) if isinstance(had, (list, tuple)) else had
        raise ValueError(f"{what} {reads}, the module was given (or trained with) "
                         f"{name}={shown}{advice}")
    module.hparams[name] = value
