""".npy files: reading one with errors that name the file (what it holds
instead of an array, Python objects, complex numbers, NaN / Inf), and writing
one atomically."""
from __future__ import annotations

import os.path as osp

import numpy as np

from .._files import atomic_write


def save_npy(path: str, array: np.ndarray) -> None:
    """``np.save`` of ``array`` to ``path``, atomically (see
    :func:`pyg_fusion._files.atomic_write`): a failed write leaves no partial file."""
    with atomic_write(path) as f:
        np.save(f, array)


def nonfinite(array: np.ndarray) -> tuple[int, tuple[int, ...]] | None:
    """``(count, index of the first)`` of the NaN / Inf values of a numeric
    ``array`` (C order), or :obj:`None` when every value is finite."""
    bad = ~np.isfinite(array)
    if not bad.any():
        return None
    return int(bad.sum()), tuple(int(i) for i in np.argwhere(bad)[0])


def _not_npy(head: bytes) -> str | None:
    """What a file whose first bytes are ``head`` holds instead of one
    ``.npy`` array, or :obj:`None` for NumPy's header."""
    if head.startswith(b"\x93NUMPY"):
        return None
    if head.startswith(b"PK"):
        return "a zip archive, as np.savez (.npz) and torch.save write"
    if head.startswith(b"\x80"):
        return "a pickle (pickle.dump)"
    return "the file is empty" if not head else "no NumPy header (a text file?)"


def _objects_error(f, what: str, path: str) -> ValueError | None:
    """The error for a ``.npy`` (``f`` at its start) of Python objects (pandas'
    ``to_numpy()`` of strings), which numpy refuses naming no file, else None."""
    try:
        fmt = np.lib.format
        read = {(1, 0): fmt.read_array_header_1_0, (2, 0): fmt.read_array_header_2_0}
        if not read[fmt.read_magic(f)](f)[2].hasobject:
            return None
    except Exception:  # a broken header, or version 3: numpy's own error says what
        return None
    return ValueError(f"{what}: {path} holds Python objects (dtype object, stored as a "
                      f"pickle, which is not loaded), as np.save writes pandas' "
                      f"to_numpy() of strings or of mixed columns; save numbers or "
                      f"strings: np.save(path, array.astype(float)) for features, "
                      f"array.astype(str) for labels")


def require_file(path: str, what: str) -> str:
    """``path`` once it is a file: a folder (``IsADirectoryError``) or a
    missing path (``FileNotFoundError``) is an error naming ``what`` (the
    file's role, e.g. ``"view 'rgb'"``) and the path."""
    if osp.isdir(path):
        raise IsADirectoryError(f"{what}: {path} is a folder; expected a file")
    if not osp.isfile(path):
        raise FileNotFoundError(f"{what}: file not found: {path}")
    return path


def _check_real(array: np.ndarray, what: str, path: str) -> None:
    # complex numbers are numbers to numpy: their imaginary parts were dropped
    # with numpy's ComplexWarning alone
    if np.issubdtype(array.dtype, np.complexfloating):
        raise ValueError(f"{what}: {path} holds {array.dtype} values, expected real numbers "
                         f"(save the magnitudes, or the real and imaginary parts as columns)")
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise ValueError(f"{what}: {path} holds {array.dtype} values, expected numbers")


def load_npy(path: str, what: str, *, finite: bool = False) -> np.ndarray:
    """``np.load`` of one ``.npy`` with errors that name the file; with
    ``finite=True`` (features) it must hold numbers without NaN or Inf, within
    float32's range."""
    require_file(path, what)
    with open(path, "rb") as f:
        other = _not_npy(f.read(6))
    if other is not None:
        # np.load gave a zip archive back as an NpzFile (then "'NpzFile' object
        # has no attribute 'dtype'"), and said of any other file "contains pickled data"
        raise ValueError(f"{what}: {path} is no .npy file ({other}); save each array with "
                         f"np.save")
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except Exception as exc:  # numpy raises several types for broken files
        with open(path, "rb") as f:
            objects = _objects_error(f, what, path)
        raise (objects or ValueError(f"{what}: cannot read {path} as .npy ({exc})")) from exc
    if finite:
        _check_real(array, what, path)
        bad = nonfinite(array)
        if bad is not None:
            raise ValueError(f"{what}: {path} holds {bad[0]} NaN or Inf value(s), "
                             f"the first at index {bad[1]}")
        # features are stored in float32: a larger magnitude would become Inf
        if array.size and np.issubdtype(array.dtype, np.floating) and array.dtype.itemsize > 4:
            big, largest = float(np.finfo(np.float32).max), float(np.abs(array).max())
            if largest > big:
                raise ValueError(f"{what}: {path} holds values beyond float32's range "
                                 f"(largest magnitude {largest:.3g} > {big:.3g}); rescale them")
    return array
