"""Every ```python block of README.md and of the pages under docs/ runs as
written, each in a fresh namespace and an empty working folder. A block whose
first line is the visible comment ``# needs a file you supply: NAME`` is
skipped, naming it (every block still imports what it uses), and what a
block's comments say it gives (shapes, values) is what it gives; the facts
README states of the package (its floors, its extras, the demo's files, the
VAD table, a method's default) are the package's. The commands and their
flags: test_readme_commands.py."""
import ast
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
# README and the pages it links for what moved out of it (studies, details):
# their commands are what a user copies as much as README's
PAGES = [README, *sorted((README.parent / "docs").rglob("*.md"))]
NEEDS_FILE = "# needs a file you supply:"


def _where(page: Path, text: str, start: int) -> str:
    return f"{page.relative_to(README.parent)}:{text.count(chr(10), 0, start) + 1}"


def _blocks() -> list[tuple[str, str]]:
    out = []
    for page in PAGES:
        text = page.read_text()
        for m in re.finditer(r"^```python\n(.*?)^```", text, flags=re.S | re.M):
            out.append((_where(page, text, m.start()), m.group(1)))
    return out


BLOCKS = _blocks()


def test_readme_has_python_blocks():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("line,code", BLOCKS, ids=[n for n, _ in BLOCKS])
def test_readme_block_runs(line, code, tmp_path, monkeypatch):
    first = code.lstrip().splitlines()[0]
    if first.startswith(NEEDS_FILE):
        pytest.skip(f"{line} {first[2:]}")
    monkeypatch.chdir(tmp_path)
    ns = {"__name__": "__readme__"}
    exec(compile(code, line, "exec"), ns)
    for marker, check in CLAIMS.items():
        if marker in code:
            check(ns)


def _lego_in_five_lines(ns):
    # "FusedGraph: edge_index, edge_weight and to_dense()", "A[p, q] of each
    # source pair"
    from pyg_fusion.nn import FusedGraph
    graph, n = ns["graph"], 1000
    assert isinstance(graph, FusedGraph)
    assert graph.edge_index.size(0) == 2 and graph.edge_weight.shape == graph.edge_index.shape[1:]
    assert graph.to_dense().shape == (1, n, n)
    assert ns["logits"].shape == (n, 10)
    assert {k: tuple(a.shape) for k, a in ns["lego"].fusion.A.items()} == {"clip|i3d": (4, 4)}


def _recording_streams(ns):
    # "x_acc, x_gyr [32, 99]; frame_gt at 50 per snippet", num_videos=(12, 8)
    train, test = ns["train"], ns["test"]
    assert (len(train), len(test)) == (12, 8)
    video = test[0]
    assert video.x_acc.shape == video.x_gyr.shape == (32, 99)
    assert video.frame_gt.numel() == 50 * video.snippet_segment.numel()


def _asym_segmentation(ns):
    import torch
    import torch.nn.functional as F
    rgb, depth, a, b, s = (ns[n] for n in ("rgb", "depth", "a", "b", "s"))
    # "a = rgb[:, :8] | depth[:, 8:]  (g = C // 5 = 2)", and b the other way
    assert torch.equal(a, torch.cat([rgb[:, :8], depth[:, 8:]], 1))
    assert torch.equal(b, torch.cat([depth[:, :8], rgb[:, 8:]], 1))
    # "4 groups of g channels moved down/right/left/up, rest zero"
    assert torch.equal(s[:, 0:2, 1:], depth[:, 0:2, :-1])   # down
    assert torch.equal(s[:, 2:4, :, 1:], depth[:, 2:4, :, :-1])   # right
    assert torch.equal(s[:, 4:6, :, :-1], depth[:, 4:6, :, 1:])   # left
    assert torch.equal(s[:, 6:8, :-1], depth[:, 6:8, 1:])   # up
    assert not s[:, 8:].any()
    outs = [ns["out_rgb"], ns["out_depth"], ns["out_ens"]]
    assert all(o.shape == (2, 40, 64, 64) for o in outs)
    # "CE x 3, ignore 255"
    mask = ns["mask"]
    assert torch.allclose(ns["loss"], sum(F.cross_entropy(o, mask, ignore_index=255) for o in outs))
    # "convs shared, BN private"
    from pyg_fusion.nn.asym import ModalityNorm
    modules = list(ns["net"].modules())
    assert sum(isinstance(m, torch.nn.Conv2d) for m in modules) == 1
    norms = [m for m in modules if isinstance(m, ModalityNorm)]
    assert len(norms) == 1 and norms[0].num_modalities == 2


def _asym_translation(ns):
    # "[8, 3, 32, 32] each, in [-1, 1]"
    out = ns["out"]
    for y in [*out.branches, out.ensemble]:
        assert y.shape == (8, 3, 32, 32)
        assert float(y.detach().abs().max()) <= 1


def _figures(ns):
    import torch
    # "untrained, A = graph product": A[1, 1] = 1, every other entry 0
    (A,) = ns["model"].fusion.A.values()
    assert torch.equal(A, torch.zeros(4, 4).index_put_((torch.tensor(1), torch.tensor(1)),
                                                        torch.tensor(1.0)))
    assert Path("A.png").stat().st_size > 0 and Path("R.png").stat().st_size > 0


# a line of a block -> the check of what that block's comments say it gives
CLAIMS = {
    'lego = LEGO({"i3d": 2048': _lego_in_five_lines,
    "train = RecordingStreamsVAD(": _recording_streams,
    "a, b = channel_shuffle([rgb, depth])": _asym_segmentation,
    "out = gen([shade, depth])": _asym_translation,
    'plot_fusion_operator(model, path="A.png")': _figures,
}


def test_readme_claims_are_checked():
    # each check finds its block: an edited block is checked, not skipped
    for marker in CLAIMS:
        assert sum(marker in code for _, code in BLOCKS) == 1, marker


def test_readme_figures_table_lists_every_plot_function():
    # the Figures section's table is where a reader looks for what can be drawn
    import pyg_fusion.visualize as vis
    text = README.read_text()
    section = text[text.index("<!-- section:visualize -->"):
                   text.index("<!-- /section:visualize -->")]
    rows = set(re.findall(r"^\| `(plot_\w+)\(", section, flags=re.M))
    assert rows == {n for n in vis.__all__ if n.startswith("plot_")}


def _unbound_names(code: str) -> set[str]:
    """Names a block reads that it neither imports nor assigns, nor Python
    provides: what it would take from an earlier block's namespace."""
    import builtins
    tree = ast.parse(code)
    bound = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return {n.id for n in ast.walk(tree)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound


@pytest.mark.parametrize("line,code", BLOCKS, ids=[n for n, _ in BLOCKS])
def test_readme_block_imports_what_it_uses(line, code):
    # a block skipped for its file is never run: a name it takes from the
    # block before (a fresh namespace has none) would go unnoticed
    assert _unbound_names(code) == set(), line


def test_readme_oldest_tested_versions_are_pyprojects_floors():
    # "the oldest that pyproject.toml admits (...)": each "name X.Y" before the
    # ';' must be that package's floor, or the sentence claims a run that was not
    text = " ".join(README.read_text().split())
    start = text.index("the oldest that `pyproject.toml` admits (") + len(
        "the oldest that `pyproject.toml` admits (")
    named = text[start:text.index(")", start)].split(";")[0]
    pyproject = (README.parent / "pyproject.toml").read_text()
    floors = dict(re.findall(r'"([\w-]+)>=([\d.]+)', pyproject))
    alias = {"PyG": "torch_geometric"}
    pairs = re.findall(r"([\w-]+) (\d+(?:\.\d+)+)", named)
    assert len(pairs) >= 7
    assert {alias.get(n, n): v for n, v in pairs} == {
        alias.get(n, n): floors[alias.get(n, n)] for n, _ in pairs}


def test_readme_vad_branch_dropout_is_the_methods_default():
    # the VAD setup paragraph (docs/results/vad_studies.md, linked from README's
    # VAD section) states the branch dropout of lego and lego-cp
    from pyg_fusion.experiments import MethodSpec
    text = " ".join((README.parent / "docs" / "results" / "vad_studies.md").read_text().split())
    start = text.index("`lego`'s branch has dropout")
    said = text[start:text.index('see "Regularising lego\'s branch"', start)]
    stated = dict(re.findall(r"`(lego(?:-cp)?)`'s branch has dropout ([\d.]+)", said))
    follows = re.findall(r"`(lego(?:-cp)?)`'s branch follows `--dropout`", said)
    assert set(stated) | set(follows) == {"lego", "lego-cp"}
    for method, rate in stated.items():
        assert MethodSpec.create(method, "vad").head.branch_dropout == float(rate), method
    for method in follows:
        assert MethodSpec.create(method, "vad").head.branch_dropout is None, method


def test_readme_names_every_extra():
    # an optional dependency that README never names is one a user cannot find
    # (tomllib is Python 3.11+: the extras table is read by its lines)
    pyproject = (README.parent / "pyproject.toml").read_text()
    table = pyproject.split("[project.optional-dependencies]", 1)[1].split("\n[", 1)[0]
    extras = set(re.findall(r"^(\w+) = \[", table, flags=re.M))
    assert {"test", "motion"} <= extras
    named = set(re.findall(r'pip install -e "\.\[(\w+)\]"', README.read_text()))
    assert extras - named == set()


def test_readme_demo_writes_the_files_it_names(tmp_path, monkeypatch):
    # the demo paragraph under "Quick start" lists what `pyg-fusion demo` writes
    from pyg_fusion.cli import demo, main
    text = " ".join(README.read_text().split())
    start = text.index("It writes `results.json`, `results.txt` and `digits_graphs.png`")
    said = text[start:text.index("Each figure draws the model the run tested", start)]
    named = set(re.findall(r"`([\w.]+\.(?:png|json|txt))`", said))
    assert len(named) == 9 and "under `runs/<dataset>/<method>/` inside `--out` (for the " \
        "command above, `runs/demo/runs/digits/lego/`;" in said
    for name in ("DIGITS_METHODS", "DIGITS_GRAPH_METHODS", "VAD_METHODS"):
        monkeypatch.setattr(demo, name, ["lego"])
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--root", str(tmp_path / "data"), "--node-epochs",
                 "1", "--graph-epochs", "1", "--vad-epochs", "1", "--no-progress"]) == 0
    written = {p.name for p in out.iterdir() if p.is_file()}
    assert named <= written
    for dataset in ("digits", "digits_labels", "synthetic-vad"):
        assert list((out / "runs" / dataset / "lego").rglob("metrics.csv")), dataset
    assert not list(out.rglob("*.ckpt"))


def _md_rows(text: str, header: str) -> list[list[str]]:
    """The rows (cells) of the first table after the line that starts with header."""
    lines = text[text.index(header):].splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("| method |"))
    rows = []
    for line in lines[first + 2:]:
        if not line.startswith("|"):
            return rows
        rows.append([c.strip().replace("**", "") for c in line.strip("|").split("|")])
    return rows


def test_readme_vad_table_is_the_three_benchmarks_tables():
    # README's one table over every VAD method holds, per benchmark, the AUC of
    # that benchmark's full table in docs/results/vad_studies.md ('-': a method
    # the benchmark has not), every method of each with its seeds
    studies = (README.parent / "docs" / "results" / "vad_studies.md").read_text()
    heads = ["**MotionVAD (real accelerometer", "**SyntheticVAD, multi-representation setting**",
             "**SyntheticVAD with relational anomalies**"]
    full = [{row[0]: row[1] for row in _md_rows(studies, head)} for head in heads]
    table = _md_rows(README.read_text(), "**Every VAD method on the three benchmarks**")
    assert {row[0] for row in table} == set().union(*full)
    for method, *aucs, seeds in table:
        assert aucs == [f.get(method, "-") for f in full], method
        assert seeds == "5"
