"""Every public class and function of ``pyg_fusion.nn`` (with ``nn.asym``
and ``nn.baselines``), ``pyg_fusion.functional``, ``pyg_fusion.methods``,
``pyg_fusion.datasets``, ``pyg_fusion.transforms``, ``pyg_fusion.training`` (with
``training._task`` and ``training._divergence``),
``pyg_fusion.specs``, ``pyg_fusion.experiments``, ``pyg_fusion.visualize`` and the models of
``pyg_fusion.methods.node`` (with its shared head, ``methods._node_common``) and
``pyg_fusion.methods.vad`` (with what its models read, ``methods._vad_inputs``)
documents each argument as PyG does:
``name (type, optional): ... (default: ...)``, and a default written as a
literal is the signature's. Every public module (no part of its name begins
with ``_``; the command line's ``cli`` aside) is checked, found on disk: its
``__all__`` where it has one, else each public name it defines; private
modules are checked where ``MODULES`` names them."""
import ast
import dataclasses
import importlib
import inspect
import pkgutil
import re

import pytest

# packages: what they export; modules: what they define themselves (private
# ones too; every public module is found on disk, public_modules)
PACKAGES = ("nn", "functional", "nn.asym", "nn.baselines", "methods", "datasets",
            "specs", "experiments", "visualize")
MODULES = ("training.trainer", "training._task", "training.stopping", "training._divergence",
           "training.seeding", "training.accelerators", "training.node", "training.vad",
           "training._vad_scores", "training.vad_fit", "_option_rules",
           "training.vad_split", "training.pseudo_anomalies", "training.metrics",
           "training.segmentation", "training.segmentation_metrics", "training.translation",
           "training._translation_fit", "training._translation_settings",
           "training._segmentation_fit", "training.translation_eval",
           "training.translation_figure",
           "specs.options", "specs.components", "specs.method_spec", "specs.method_names",
           "experiments.data", "experiments._data_config", "experiments.run",
           "experiments._vad_starts",
           "experiments.records", "experiments.checkpoints", "experiments.image_config",
           "experiments.image_run",
           "experiments.segment_run", "experiments.segment_predict", "experiments.translate_run",
           "experiments.translate_predict",
           "experiments.translate_data", "experiments.image_checkpoint", "transforms",
           "visualize.adjacency", "visualize.anomaly", "visualize.benchmark",
           "visualize.graph", "visualize.operator", "visualize.powers", "visualize.results",
           "visualize.sensitivity", "visualize._figures", "methods.node", "methods._node_common", "methods.vad",
           "methods._vad_inputs", "nn._fixed_graph", "_source_keys")


def _public(mod, own: bool = False):
    for name in sorted(dir(mod)):
        obj = getattr(mod, name)
        where = getattr(obj, "__module__", None) or ""
        if (not name.startswith("_") and callable(obj) and not inspect.ismodule(obj)
                and (where == mod.__name__ if own else where.startswith("pyg_fusion"))):
            yield f"{mod.__name__}.{name}", obj


def public_modules() -> list[str]:
    """Every public module of the package (``data``, ``datasets.digits``,
    ...), found on disk: no part of its name begins with ``_``; the command
    line (``cli``, documented by its ``--help``) aside."""
    import pyg_fusion
    return sorted(m.name[len("pyg_fusion."):] for m in
                  pkgutil.walk_packages(pyg_fusion.__path__, "pyg_fusion.")
                  if not any(part.startswith("_") for part in m.name.split("."))
                  and m.name.split(".")[1] != "cli")


def _declared(mod):
    # a public module's API: its __all__, else each public name it defines
    if not hasattr(mod, "__all__"):
        yield from _public(mod, own=True)
        return
    for name in mod.__all__:
        obj = getattr(mod, name)
        if callable(obj) and not inspect.ismodule(obj):
            yield f"{mod.__name__}.{name}", obj


def _objects():
    seen = {}
    for name in PACKAGES:
        for key, obj in _public(importlib.import_module(f"pyg_fusion.{name}")):
            seen.setdefault(id(obj), (key, obj))
    for name in MODULES:
        for key, obj in _public(importlib.import_module(f"pyg_fusion.{name}"), own=True):
            seen.setdefault(id(obj), (key, obj))
    for name in public_modules():
        for key, obj in _declared(importlib.import_module(f"pyg_fusion.{name}")):
            seen.setdefault(id(obj), (key, obj))
    return sorted(seen.values(), key=lambda kv: kv[0])


def _args_entries(doc: str) -> dict[str, str]:
    """name -> (its parenthesis, its text) of the Args section."""
    lines = doc.split("\n")
    start = lines.index("Args:")
    entries, cur = {}, None
    for line in lines[start + 1:]:
        if line and not line.startswith("    "):
            break
        m = re.match(r"^    (\**\w+) \(([^)]*)\):(.*)$", line)
        if m:
            cur = m.group(1).lstrip("*")
            entries[cur] = [m.group(2), m.group(3)]
        elif cur is not None and line.startswith("        "):
            entries[cur][1] += " " + line.strip()
    return entries


OBJECTS = _objects()


# ids of the names alone: a function's repr holds its address, which changes
# from one collection to the next (pytest --lf, -p xdist need the same ids)
@pytest.mark.parametrize("name,obj", OBJECTS, ids=[name for name, _ in OBJECTS])
def test_args_are_documented_with_type_and_default(name, obj):
    fn = obj.__init__ if inspect.isclass(obj) else obj
    params = [p for p in inspect.signature(fn).parameters.values()
              if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if not params:
        return
    doc = inspect.getdoc(obj) or ""
    assert "Args:" in doc.split("\n"), f"{name} has no Args section"
    entries = _args_entries(doc)
    for p in params:
        assert p.name in entries, f"{name}: no Args entry '{p.name} (type): ...'"
        kind, text = entries[p.name]
        if p.default is not p.empty:
            assert "optional" in kind and "(default:" in text, (
                f"{name}: {p.name} has a default, so '(type, optional)' and '(default: ...)'")


_PROSE = object()  # a default described in words ("every source")


def _documented_default(text: str):
    """The literal of ``(default: X)`` in an Args entry's text (``:obj:`X```,
    ````X```` or a bare ``X``, before any explanation after a comma), or
    ``_PROSE`` where the default is described in words."""
    start = text.find("(default:")
    depth, i = 0, start
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            break
    body = text[start + len("(default:"):i].strip()
    m = re.match(r":obj:`([^`]*)`|``([^`]*)``", body)
    if m:
        body = m.group(1) if m.group(1) is not None else m.group(2)
    elif not body.startswith(("(", "[")):
        body = body.split(", ")[0]
    try:
        return ast.literal_eval(body.strip())
    except (ValueError, SyntaxError):
        return _PROSE


def _same(doc, code) -> bool:
    if isinstance(code, (tuple, list)) and isinstance(doc, (tuple, list)):
        return list(doc) == list(code)
    return type(doc) is type(code) and doc == code or (
        isinstance(doc, (int, float)) and not isinstance(doc, bool)
        and isinstance(code, float) and doc == code)


def _misread_entries(doc: str) -> list[str]:
    """Lines at an entry's indentation in the Args section that are no
    ``name (type): ...`` entry: ``_args_entries`` (as a reader scanning for
    names) reads them as the previous entry's text."""
    lines = doc.split("\n")
    if "Args:" not in lines:
        return []
    bad = []
    for line in lines[lines.index("Args:") + 1:]:
        if line and not line.startswith("    "):
            break
        if (line.startswith("    ") and not line.startswith("     ")
                and not re.match(r"^    (\**\w+) \(([^)]*)\):(.*)$", line)):
            bad.append(line.strip())
    return bad


def test_every_args_line_at_entry_indentation_is_an_entry():
    # "**trainer_kwargs: passed to ..." (no parenthesis) was read as the end
    # of the previous entry's text; PyG writes "**kwargs (optional): ..."
    wrong = [f"{name}: {line!r}" for name, obj in OBJECTS
             for line in _misread_entries(inspect.getdoc(obj) or "")]
    assert not wrong, "\n".join(wrong)


def test_documented_args_and_defaults_are_the_signatures():
    # Every documented name is a parameter, and a literal default is the
    # signature's: "k (int, optional): ... (default: :obj:`10`)" beside k=16
    # would have the reader believe 10.
    checked, wrong = 0, []
    for name, obj in _objects():
        fn = obj.__init__ if inspect.isclass(obj) else obj
        doc = inspect.getdoc(obj) or ""
        if "Args:" not in doc.split("\n"):
            continue
        entries = _args_entries(doc)
        params = inspect.signature(fn).parameters
        wrong += [f"{name}: documents '{e}', which is no parameter" for e in entries
                  if e not in params and not any(p.kind == p.VAR_KEYWORD for p in params.values())]
        for p in params.values():
            if (p.default is p.empty or p.name not in entries
                    or "(default:" not in entries[p.name][1]):
                continue
            documented = _documented_default(entries[p.name][1])
            if documented is _PROSE:
                continue
            default = p.default
            if dataclasses.is_dataclass(obj) and repr(default) == "<factory>":
                default = next(f.default_factory() for f in dataclasses.fields(obj)
                               if f.name == p.name)
            checked += 1
            if not _same(documented, default):
                wrong.append(f"{name}: {p.name} documented {documented!r}, signature {default!r}")
    assert not wrong, "\n".join(wrong)
    assert checked > 300  # the literal defaults of the public API are really compared


def test_every_public_module_is_checked():
    # public modules in no list went unchecked: MultiSourceData (data.py),
    # the restart ensemble, the segmentation figure, SyntheticRGBD's scenes
    mods = public_modules()
    assert {"data", "transforms", "datasets.digits", "training.vad_ensemble",
            "visualize.graph"} <= set(mods)
    assert not [m for m in mods if m.startswith("cli") or "._" in m]
    checked = {id(obj) for _, obj in _objects()}

    def found(name):
        module, attr = name.rsplit(".", 1)
        return id(getattr(importlib.import_module(f"pyg_fusion.{module}"), attr)) in checked
    for name in ("data.MultiSourceData", "training.vad_ensemble.RestartEnsemble",
                 "training.segmentation_figure.save_prediction_figure",
                 "datasets.synthetic_rgbd.make_rgbd_scene", "nn.asym.layers.norm_factory",
                 "functional.order.locality_order"):
        assert found(name), name
    # a module's __all__ is its public API: the helpers beside it are not
    assert not found("functional.fuse.align_pair")


def test_visualize_functions_are_checked():
    # the figures' public functions (each export and the public helpers of
    # its modules, e.g. edge_style) are among the objects checked above
    import pyg_fusion.visualize as vis
    names = {name for name, _ in _objects()}
    missing = [n for n in [*vis.__all__, "graph.edge_style"]
               if f"pyg_fusion.visualize.{n}" not in names]
    assert not missing


def test_asym_switches_describe_their_own_exchange():
    # shuffle and use_shift (the bottleneck's shift) had one text, e.g.
    # "switch channel shuffle or pixel shift off": which switch was which?
    from pyg_fusion.nn.asym import (AsymFusionBottleneck, AsymFusionTranslator,
                                    AsymTranslationFusion)
    for cls, shift in ((AsymTranslationFusion, "use_shift"), (AsymFusionTranslator, "use_shift"),
                       (AsymFusionBottleneck, "shift")):
        entries = _args_entries(inspect.getdoc(cls))
        shuffle_text, shift_text = entries["shuffle"][1], entries[shift][1]
        assert "channel shuffle" in shuffle_text and "shift" not in shuffle_text, cls
        assert "pixel" in shift_text and "shuffle" not in shift_text, cls
    entries = _args_entries(inspect.getdoc(AsymFusionTranslator))
    assert entries["shift"][1].startswith(" pixels of the pixel shift")
