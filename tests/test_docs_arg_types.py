"""The type that an Args entry names is the signature's, as PyG documents it:
``name (type, optional)`` gives the annotation's types (``None`` is what
``optional`` says), and ``optional`` is written only where the parameter has
a default. The objects are those of ``test_docstrings``: the public API of
``pyg_fusion.nn``, ``functional``, ``datasets``, ``transforms`` and the rest."""
import inspect
import re

import pytest

from test_docstrings import OBJECTS, _args_entries

# How the docstrings spell a type that the annotations spell otherwise.
_SAME = {"callable": "callable", "list": "list", "dict": "dict", "tuple": "tuple",
         "sequence": "sequence", "mapping": "mapping"}


def _split_top(text: str, seps: tuple[str, ...]) -> list[str]:
    """``text`` split at ``seps`` outside brackets."""
    out, depth, cur, i = [], 0, "", 0
    while i < len(text):
        ch = text[i]
        depth += (ch in "[(") - (ch in "])")
        sep = next((s for s in seps if depth == 0 and text.startswith(s, i)), None)
        if sep:
            out.append(cur)
            cur, i = "", i + len(sep)
            continue
        cur += ch
        i += 1
    out.append(cur)
    return [o.strip() for o in out if o.strip()]


def _names(text: str, seps: tuple[str, ...]) -> set[str]:
    """The outer type names of a type expression, without their modules
    (``torch.Tensor`` and ``Tensor`` are one type), lowercased, ``None``
    left out."""
    out = set()
    for part in _split_top(text, seps):
        name = part.split("[")[0].strip().split(".")[-1].lower()
        if name not in ("none", "nonetype", "optional"):
            out.add(_SAME.get(name, name))
    return out


def _documented(kind: str) -> set[str]:
    return _names(kind, (",", " or ", "|"))


def _annotated(fn, param) -> set[str] | None:
    """The annotation's types (a type alias resolved), or :obj:`None` where
    it says nothing (no annotation, ``Any``)."""
    ann = param.annotation
    if ann is param.empty:
        return None
    if isinstance(ann, str):
        try:
            ann = inspect.get_annotations(fn, eval_str=True)[param.name]
        except Exception:  # a name imported for type checkers only: the string
            pass
    text = ann if isinstance(ann, str) else inspect.formatannotation(ann)
    text = re.sub(r"^(typing\.)?Union\[(.*)\]$", r"\2", text)
    text = re.sub(r"^(typing\.)?Optional\[(.*)\]$", r"\2 | None", text)
    names = _names(text, ("|", ","))
    return None if names & {"any"} else names


def _entries():
    for name, obj in OBJECTS:
        fn = obj.__init__ if inspect.isclass(obj) else obj
        doc = inspect.getdoc(obj) or ""
        if "Args:" not in doc.split("\n"):
            continue
        entries = _args_entries(doc)
        for p in inspect.signature(fn).parameters.values():
            if p.name in entries:
                yield name, fn, p, entries[p.name][0]


def test_documented_types_are_the_annotations():
    # "k (int, optional)" beside k: float | None, or "x (torch.Tensor)"
    # beside x: dict[str, Tensor], would have the reader pass the wrong thing
    checked, wrong = 0, []
    for name, fn, p, kind in _entries():
        annotated = _annotated(fn, p)
        if annotated is not None:
            checked += 1
            if _documented(kind) != annotated:
                wrong.append(f"{name}: {p.name} documented ({kind}), annotated "
                             f"{p.annotation}")
        elif p.default is not p.empty and type(p.default) in (bool, int, float, str):
            # unannotated: the literal default's type must be among the documented
            checked += 1
            have = type(p.default).__name__
            if have not in _documented(kind) and not (have == "int" and "float" in
                                                        _documented(kind)):
                wrong.append(f"{name}: {p.name} documented ({kind}), default {p.default!r}")
    assert not wrong, "\n".join(wrong)
    assert checked > 800  # the public API's parameters (1101 today) are really compared


def test_optional_is_written_only_for_a_default():
    # PyG's "optional" means "may be left out": a required parameter that
    # takes None is "(dict or None)", or a call without it fails
    wrong = [f"{name}: {p.name} ({kind}) has no default" for name, _, p, kind in _entries()
             if "optional" in kind and p.default is p.empty
             and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("kind,names", [
    ("torch.Tensor, optional", {"tensor"}),
    ("List[torch.Tensor]", {"list"}),
    ("str or os.PathLike, optional", {"str", "pathlike"}),
    ("dict[str, Sequence[int] | slice], optional", {"dict"}),
    ("int | None, optional", {"int"}),
])
def test_documented_type_names(kind, names):
    assert _documented(kind) == names


def test_no_default_is_documented_as_a_repr():
    # a dataclass field's default_factory printed as "(default: <factory>)"
    # tells the reader nothing; the factory's value is what is meant
    wrong = []
    for name, _, p, _ in _entries():
        obj = dict(OBJECTS)[name]
        text = _args_entries(inspect.getdoc(obj))[p.name][1]
        if re.search(r"\(default:[^)]*(<factory>|<function |object at 0x)", text):
            wrong.append(f"{name}: {p.name}: {text.strip()}")
    assert not wrong, "\n".join(wrong)


def _ends_with_default(text: str) -> bool:
    text = text.strip()
    start = text.rfind("(default:")
    if start < 0:
        return False
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i == len(text) - 1
    return False


def test_defaults_close_their_entries_as_in_pyg():
    # PyG ends an entry with "(default: :obj:`X`)": a default written inside
    # the sentence ("dropout before each layer (default: ``0.5``).", "(default:
    # ones)") is missed by a reader who looks where PyG puts it
    scope = tuple(f"pyg_fusion.{p}." for p in ("nn", "functional", "datasets", "transforms"))
    wrong = []
    for name, _, p, _ in _entries():
        if not name.startswith(scope) or p.default is p.empty:
            continue
        text = _args_entries(inspect.getdoc(dict(OBJECTS)[name]))[p.name][1]
        if not _ends_with_default(text):
            wrong.append(f"{name}: {p.name}: ...{text.strip()[-70:]}")
    assert not wrong, "\n".join(wrong)


def test_data_module_is_documented_as_the_rest():
    # pyg_fusion.data (MultiSourceData, the container every dataset and layer
    # reads) is exported by pyg_fusion but was not among test_docstrings'
    # packages: MultiSourceData had no Args section
    import pyg_fusion.data
    from test_docstrings import _public, test_args_are_documented_with_type_and_default
    objects = list(_public(pyg_fusion.data, own=True))
    assert "pyg_fusion.data.MultiSourceData" in dict(objects)
    for name, obj in objects:
        test_args_are_documented_with_type_and_default(name, obj)


def test_docstrings_have_no_invalid_escapes():
    # a docstring holding LaTeX (\log, \mathrm, \,) must be raw: otherwise
    # Python warns at import ("invalid escape sequence") and a valid escape
    # such as \t or \f silently becomes another character in help()
    import warnings
    from pathlib import Path
    package = Path(__file__).resolve().parent.parent / "pyg_fusion"
    wrong = []
    for path in sorted(package.rglob("*.py")):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            compile(path.read_text(), str(path), "exec")
        wrong += [f"{path.relative_to(package)}:{w.lineno}: {w.message}" for w in caught]
        wrong += [f"{path.relative_to(package)}:{line}: {escape} in a docstring that is not raw"
                  for line, escape in _valid_escapes_in_docstrings(path.read_text())]
    assert not wrong, "\n".join(wrong)


def _valid_escapes_in_docstrings(source: str):
    """``(line, escape)`` of ``\\t``, ``\\f``, ``\\b``, ``\\a``, ``\\v``,
    ``\\r`` before a letter in a docstring that is not raw: LaTeX such as
    ``j \\to i`` read as a tab and ``o``, which compiles without a warning."""
    import ast
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body[:1]
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                segment = ast.get_source_segment(source, body[0].value) or ""
                if "r" not in re.match(r"[a-zA-Z]*", segment).group(0).lower():
                    for m in re.finditer(r"(?<!\\)\\[abfrtv][a-zA-Z]", segment):
                        yield body[0].value.lineno, m.group(0)
