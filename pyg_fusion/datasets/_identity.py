"""What makes a ``pre_transform`` / ``pre_filter`` give other data, for the
name of the processed file it made (:meth:`FusionDataset.cache_file`)."""
from __future__ import annotations

import functools
import hashlib
import re
import types
from typing import Any

import numpy as np
import torch
from torch_geometric.data.dataset import _repr


def callable_identity(obj: Any) -> Any:
    """What makes a ``pre_transform`` / ``pre_filter`` give other data, as
    JSON-able values: PyG's printed form, plus a function's module, name,
    code, defaults, captured values and the module-level values its code
    reads (a constant such as ``SCALE = 2.0``, and a function of its own
    module by these same parts), and an object's class, attributes
    (tensors by a hash of their values) and the functions of its class and
    of the bases of the class's module, by the same parts (the ``forward``
    of a transform class in your script). A function of another module, a
    class given itself and a module are known by name only: an edit of their
    code (a helper imported from ``my_helpers.py``) makes no new cache, so
    ``force_reload=True`` it.

    PyG prints every function as ``<function>`` and a transform without its
    own ``__repr__`` as ``Name()``, so two different ones named one cache
    and the second loaded the data the first had made."""
    # None as PyG prints it: the names of caches made without either stay
    return "None" if obj is None else [_repr(obj), _identity(obj, set())]


def _identity(obj: Any, seen: set) -> Any:
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, bytes):
        return hashlib.sha1(obj).hexdigest()
    if isinstance(obj, torch.Tensor):
        t = obj.detach().cpu()
        t = (t.to_dense() if t.layout != torch.strided else t).contiguous()
        return ["tensor", str(t.dtype), list(t.shape),
                hashlib.sha1(t.view(-1).view(torch.uint8).numpy().tobytes()).hexdigest()]
    if isinstance(obj, np.ndarray):
        return ["ndarray", str(obj.dtype), list(obj.shape),
                _identity(np.ascontiguousarray(obj).tobytes(), seen)]
    if isinstance(obj, types.CodeType):
        return ["code", obj.co_code.hex(), list(obj.co_names),
                [_identity(c, seen) for c in obj.co_consts]]
    if id(obj) in seen:  # a cycle (an object holding itself)
        return "<cycle>"
    seen = seen | {id(obj)}
    if isinstance(obj, (list, tuple)):
        return [_identity(v, seen) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted((_identity(v, seen) for v in obj), key=repr)
    if isinstance(obj, dict):
        return sorted(([repr(k), _identity(v, seen)] for k, v in obj.items()), key=repr)
    if isinstance(obj, functools.partial):
        return ["partial", _identity(obj.func, seen), _identity(obj.args, seen),
                _identity(obj.keywords, seen)]
    if isinstance(obj, types.MethodType):
        return ["method", _identity(obj.__func__, seen), _identity(obj.__self__, seen)]
    name = f"{getattr(obj, '__module__', None)}.{getattr(obj, '__qualname__', None)}"
    if isinstance(obj, types.FunctionType):
        cells = [c.cell_contents if c.cell_contents is not obj else "<self>"
                 for c in obj.__closure__ or ()]
        return ["function", name, _identity(obj.__code__, seen),
                _identity(obj.__defaults__, seen), _identity(obj.__kwdefaults__, seen),
                _identity(cells, seen), _globals_read(obj, seen)]
    if isinstance(obj, (type, types.BuiltinFunctionType, types.ModuleType)):
        return [type(obj).__name__, name if not isinstance(obj, types.ModuleType)
                else obj.__name__]
    cls = type(obj)
    state = getattr(obj, "__dict__", None)
    return [f"{cls.__module__}.{cls.__qualname__}",
            re.sub(r" at 0x[0-9a-fA-F]+", "", repr(obj)) if state is None else
            _identity(state, seen), _methods(cls, seen)]


def _methods(cls: type, seen: set) -> list:
    """The functions of ``cls`` and of its bases defined in its module, as
    functions are known: a transform written as PyG's are, a class of the
    user's script with its ``forward``, was known by its attributes alone, and
    after an edit of ``forward`` the data of the old code were loaded; its
    other class-level values (constants, properties) as attributes are. Bases
    of other modules (PyG's ``BaseTransform``, ``torch.nn.Module``) by name,
    as a function of another module is."""
    out = []
    for base in cls.__mro__:
        if base.__module__ != cls.__module__:
            continue
        for key, value in sorted(vars(base).items()):
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            elif isinstance(value, property):
                value = [value.fget, value.fset, value.fdel]
            elif isinstance(value, functools.cached_property):
                value = value.func
            # a class constant (factor = 2) read as self.factor, or a
            # property's body, edited, loaded the old data as an edited
            # forward did; Python's own entries (__doc__, ABCs' _abc_impl) not
            if isinstance(value, types.FunctionType) or not (
                    key.startswith("__") and key.endswith("__") or key == "_abc_impl"):
                out.append([base.__qualname__, key, _identity(value, seen)])
    return out


def _global_names(code: types.CodeType) -> set:
    # co_names also holds attribute names (data.x): a module-level value of
    # such a name is taken too, which costs at most a cache made again
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):  # a lambda or comprehension inside
            names |= _global_names(const)
    return names


def _globals_read(func: types.FunctionType, seen: set) -> list:
    """The module-level values ``func``'s code reads: an edit of a constant
    that a pre_transform reads made no new cache name, and the data of the
    old value were loaded. A function of another module (a library's) is
    known by name: walking its globals would follow the library's own
    module state (caches that fill as it runs), which would name the cache
    differently before and after processing."""
    out = []
    for key in sorted(_global_names(func.__code__)):
        if key not in func.__globals__:
            continue  # a builtin, or an attribute name
        value = func.__globals__[key]
        if (isinstance(value, types.FunctionType)
                and value.__module__ != func.__module__):
            out.append([key, ["function", f"{value.__module__}.{value.__qualname__}"]])
        else:
            out.append([key, _identity(value, seen)])
    return out
