"""docs/methods.md and README state defaults and constants of the code: each
statement below is quoted from the text (so that it cannot be edited away
unnoticed) beside the value the code has. What the operators compute is
checked against the page by test_references_audit.py."""
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
METHODS = ROOT / "docs" / "methods.md"
README = ROOT / "README.md"


def _text(path: Path) -> str:
    return " ".join(path.read_text().split())


def _default(path: str, param: str):
    import importlib
    module, _, name = path.rpartition(".")
    obj = getattr(importlib.import_module(module), name)
    return inspect.signature(obj).parameters[param].default


def _task_default(method: str, task: str, group: str, field: str):
    import dataclasses
    from pyg_fusion.experiments import MethodSpec
    return dataclasses.asdict(MethodSpec.create(method, task))[group][field]


# (quoted text, what it states, the value it states)
DEFAULTS = [
    ('`metric="cosine"` (the paper\'s; default)',
     lambda: _default("pyg_fusion.nn.RelationGraph", "metric"), "cosine"),
    ('`nonneg="clamp"` (default)', lambda: _default("pyg_fusion.nn.RelationGraph", "nonneg"),
     "clamp"),
    ('`norm="sym"` `D^{-1/2} R D^{-1/2}` (default)',
     lambda: _default("pyg_fusion.nn.GraphPowerExpansion", "norm"), "sym"),
    ('(`proj_channels`, default off)', lambda: _default("pyg_fusion.nn.LEGO", "proj_channels"),
     None),
    ('or `"auto"` (default): exact up to', lambda: _default("pyg_fusion.nn.LEGO", "knn"), "auto"),
    ('initialisation (`init="product"`, default)',
     lambda: _default("pyg_fusion.nn.LEGOFusion", "init"), "product"),
    ('`"identity"` (default, the paper\'s `R^0 = I`)',
     lambda: _default("pyg_fusion.nn.LEGOFusion", "zeroth"), "identity"),
    ('one `A` per unordered pair (default) or one shared `A` (`shared=True`)',
     lambda: _default("pyg_fusion.nn.LEGOFusion", "shared"), False),
    ('(`pairs="sample"`, default)', lambda: _default("pyg_fusion.nn.LEGOFusion", "pairs"),
     "sample"),
    ('`--term-scale`, default `"none"`', lambda: _default("pyg_fusion.nn.LEGOFusion", "term_scale"),
     "none"),
    ('`support="union"` (default)', lambda: _default("pyg_fusion.nn.LEGOFusion", "support"),
     "union"),
    ('`frozen_stats=False` (default)',
     lambda: _default("pyg_fusion.nn.asym.share_across_modalities", "frozen_stats"), False),
    ('The VAD task\'s default is `zeroth="ones"`',
     lambda: _task_default("lego", "vad", "powers", "zeroth"), "ones"),
    ('`row_order="sorted"` (the VAD task\'s default)',
     lambda: _task_default("lego", "vad", "head", "row_order"), "sorted"),
    ('`"shared"` (ours; `LEGO`, node-level sources, both backends; the node task\'s default)',
     lambda: _task_default("lego", "node", "graph", "support"), "shared"),
    ('`"best"` (default), the restart of lowest',
     lambda: _task_default("lego", "vad", "trainer", "restart_combine"), "best"),
    ('the default stays `"loss"`', lambda: _task_default("lego", "vad", "objective", "val_choice"),
     "loss"),
    ('(VAD defaults `lambda_deg = 0.1`, `alpha = None`: every entry)',
     lambda: (_task_default("lego", "vad", "objective", "lambda_deg"),
              _task_default("lego", "vad", "objective", "alpha")), (0.1, None)),
    ('at least 30 epochs (`min_epochs`), then the run ends 10 evaluations after its best held-out '
     'loss (`patience`), at most 200 epochs (`epochs`)',
     lambda: tuple(_task_default("lego", "vad", "trainer", f)
                   for f in ("min_epochs", "patience", "epochs")), (30, 10, 200)),
    ('`--operator-warmup auto`',
     lambda: (_task_default("lego", "vad", "trainer", "operator_warmup"),
              _task_default("lego-row", "vad", "trainer", "operator_warmup"),
              _task_default("lego-cp", "vad", "trainer", "operator_warmup")), ("auto", "auto", 0)),
    ('(`branch_dropout`, VAD default 0.1 for both',
     lambda: (_task_default("lego", "vad", "head", "branch_dropout"),
              _task_default("lego-cp", "vad", "head", "branch_dropout")), (0.1, 0.1)),
    ('The default `row_order="position"` is the paper\'s',
     lambda: _default("pyg_fusion.nn.RowHead", "row_order"), "position"),
    ('`hidden_channels` is `H` (default `N`), `dropout` acts before the second layer (default 0)',
     lambda: (_default("pyg_fusion.nn.RowHead", "hidden_channels"),
              _default("pyg_fusion.nn.RowHead", "dropout")), (None, 0.0)),
    ('`num_layers` such layers (default 2), with dropout `dropout` (default 0.5)',
     lambda: (_default("pyg_fusion.nn.GraphHead", "num_layers"),
              _default("pyg_fusion.nn.GraphHead", "dropout")), (2, 0.5)),
    ('`L = 20` steps (`num_layers`), `alpha = 0.9` (`alpha`), propagation over `(W + W^T) / 2` '
     '(`symmetric=True`',
     lambda: tuple(_default("pyg_fusion.nn.LabelPropagationHead", f)
                   for f in ("num_layers", "alpha", "symmetric")), (20, 0.9, True)),
    ('a learned scale `tau` (initial 10)',
     lambda: _default("pyg_fusion.nn.LabelPropagationHead", "scale"), 10.0),
    ('(`share_decoder_norm=False`, as in CEN; `True` shares them), `detach_ensemble=True`',
     lambda: (_default("pyg_fusion.nn.asym.AsymFusionTranslator", "share_decoder_norm"),
              _default("pyg_fusion.nn.asym.AsymFusionTranslator", "detach_ensemble")),
     (False, True)),
    ('and `dropout` (after the decoder levels `L-4 .. L-2`) is 0 by default',
     lambda: _default("pyg_fusion.nn.asym.AsymFusionTranslator", "dropout"), 0.0),
    ('a stratified, seeded 20% of the training videos is held out',
     lambda: _task_default("lego", "vad", "objective", "val_fraction"), 0.2),
]


@pytest.mark.parametrize("quote,actual,stated", DEFAULTS, ids=[q for q, _, _ in DEFAULTS])
def test_methods_page_states_the_defaults(quote, actual, stated):
    assert quote in _text(METHODS), "the statement is no longer on the page: update DEFAULTS"
    assert actual() == stated


def test_stated_constants_are_the_codes():
    import pyg_fusion.functional as F
    from pyg_fusion.functional import _knn, _topk
    from pyg_fusion.nn import AUTO_DENSE_MAX_NODES
    methods, readme = _text(METHODS), _text(README)
    for text in (methods, readme):
        said = re.findall(r"AUTO_EXACT_MAX_NODES` = (\d+)", text)
        assert said and {int(n) for n in said} == {F.AUTO_EXACT_MAX_NODES}
    assert re.findall(r"AUTO_DENSE_MAX_NODES = (\d+)", readme) == [str(AUTO_DENSE_MAX_NODES)]
    assert f"Scores within {_topk.TIE_ULPS} units in the last place" in methods
    assert (f"measured on {_knn.AUTO_RECALL_SAMPLE} evenly spaced rows" in methods
            and f"below {_knn.AUTO_MIN_RECALL:g}." in methods)
    assert (f"sampled on {_knn.AUTO_RECALL_SAMPLE} rows is >= {_knn.AUTO_MIN_RECALL:g}"
            in readme)
    from pyg_fusion.training.vad_fit import RESTART_STRIDE
    assert f"seeded by `seed + {RESTART_STRIDE} r`" in methods


def test_cited_sections_exist():
    # "docs/methods.md §1.3" in a docstring, README or another docs page points
    # at a section the page has
    numbers = set(re.findall(r"^#+ (\d+(?:\.\d+)?)[. ]", METHODS.read_text(), flags=re.M))
    cited = {}
    pages = [p for p in (ROOT / "docs").rglob("*.md") if p != METHODS]
    for path in [README, *pages, *(ROOT / "pyg_fusion").rglob("*.py")]:
        for m in re.finditer(r"methods(?:\.md)?[^§\n]{0,12}§ ?(\d+(?:\.\d+)?)(?:-(\d+\.\d+))?",
                             path.read_text()):
            for number in filter(None, m.groups()):
                cited.setdefault(number, path.name)
    assert len(cited) >= 10
    assert {n: f for n, f in cited.items() if n not in numbers} == {}


def test_lego_options_table_is_the_constructors():
    # §1.8 lists every option of LEGO with its default: an option added,
    # renamed or given another default shows here
    import ast
    from pyg_fusion.nn import LEGO
    text = METHODS.read_text()
    section = text[text.index("### 1.8 `LEGO`'s options"):text.index("## 2. AsymFusion")]
    rows = dict(re.findall(r"^\| `(\w+)` \| `([^`]+)`", section, flags=re.M))
    params = {n: p.default for n, p in inspect.signature(LEGO).parameters.items()
              if n != "in_channels"}
    assert set(rows) == set(params)
    assert {n: ast.literal_eval(v) for n, v in rows.items()} == params
