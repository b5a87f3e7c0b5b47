r"""The library's rule under :class:`torch.autocast`.

Autocast runs matrix products (``Linear``, ``matmul``) in 16 bits and leaves
parameters in float32, so the tensors that reach a layer mix the two dtypes
by design. The graph operators of the LEGO path (similarities and their
rankings, normalisations by degrees, powers, fusion, term scales, degrees,
pooling, label propagation and the heads' normalisations) are on autocast's
"float32 list": they are sums of many small terms, divisions by degrees and
top-k choices among near-equal similarities, where 16 bits (8 bits of
mantissa in bfloat16) lose the entries and the neighbours themselves. Under
autocast each of them runs with autocast disabled and its 16-bit floating
inputs promoted to float32 (float32 and float64 kept), as
``torch.amp.custom_fwd(cast_inputs=torch.float32)`` does for a custom
function, and returns float32; the learned layers around them (projections,
the heads' linear layers) run in autocast's dtype as torch's own do. The
sparse SpGEMM has no 16-bit kernel anyway, so both backends compute the same
float32 graph. Outside autocast nothing changes: mixed dtypes stay errors.
"""
from __future__ import annotations

import functools

import torch
from torch import Tensor

_HALF = (torch.float16, torch.bfloat16)


def autocast_dtype(device: torch.device) -> torch.dtype | None:
    """Autocast's lower-precision dtype on ``device``'s type, ``None``
    where autocast is off there."""
    kind = device.type
    if not torch.amp.is_autocast_available(kind) or not torch.is_autocast_enabled(kind):
        return None
    return torch.get_autocast_dtype(kind)


def autocast_mix(*tensors: Tensor) -> bool:
    """Whether the floating dtypes of ``tensors`` (on one device) are a mix
    that autocast makes: float32 and autocast's dtype on that device, with
    autocast on there."""
    low = autocast_dtype(tensors[0].device)
    return low is not None and all(t.dtype in (torch.float32, low) for t in tensors)


def _tensors(obj):
    if isinstance(obj, Tensor):
        yield obj
    elif isinstance(obj, (dict, list, tuple)):
        for item in obj.values() if isinstance(obj, dict) else obj:
            yield from _tensors(item)


def _widen(obj):
    if isinstance(obj, Tensor):
        return obj.float() if obj.dtype in _HALF else obj
    if isinstance(obj, dict):
        return {k: _widen(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_widen(v) for v in obj]
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        return tuple(_widen(v) for v in obj)
    return obj


def float32_under_autocast(fn):
    """Runs ``fn`` by the module's rule: unchanged outside autocast; under
    autocast on the device of its first tensor argument (in dicts, lists
    and tuples too), with autocast disabled there and, where its floating
    arguments are a mix autocast makes (:func:`autocast_mix`), the 16-bit
    ones promoted to float32. Any other mix (float64 with 16 bits) is
    passed as given, for the operator's checks to name."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        tensors = list(_tensors((args, kwargs)))
        low = autocast_dtype(tensors[0].device) if tensors else None
        if low is None:
            return fn(*args, **kwargs)
        if all(t.dtype in (torch.float32, low) for t in tensors if t.is_floating_point()):
            args, kwargs = _widen(args), _widen(kwargs)
        with torch.autocast(tensors[0].device.type, enabled=False):
            return fn(*args, **kwargs)
    # A code object of its own per function: torch.compile caches and counts
    # recompilations per code object, so with one shared by every decorated
    # function, user code reaching 9+ of them through graph breaks hit
    # dynamo's recompile_limit (8) and ran the rest's wrappers uncompiled.
    # Its name says whose wrapper a traceback's frame is.
    wrapper.__code__ = wrapper.__code__.replace(co_name=f"{fn.__name__}_under_autocast")
    return wrapper
