"""README's statements a new user checks by copying them, held to the code."""
import glob
import re
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent


def _readme() -> str:
    return " ".join((ROOT / "README.md").read_text().split())


def test_the_tables_split_rounds_halves_up_as_readme_says():
    # a user checking the sizes with Python's round (2.5 -> 2) counted one row
    # too few for every class whose rate * n ends in .5
    assert ("each class holds out `round(rate * n)` of its n labelled rows (halves round up, "
            "not Python's `round`: 2.5 gives 3)") in _readme()
    assert "of which `--label-rate` (0.05; at least one row per class) is labelled" in _readme()
    from pyg_fusion.datasets._split import stratified_masks
    y = torch.arange(2).repeat_interleave(25)  # 25 rows a class: 0.1 * 25 = 2.5
    train, val, test = stratified_masks(y, 0.05, val_rate=0.1, test_rate=0.2)
    for c in range(2):
        assert [int(m[y == c].sum()) for m in (train, val, test)] == [1, 3, 5]


# what a run writes (or a wheel holds): named by the pages, not files of the repository
WRITTEN = {"results.json", "metrics.json", "scores.json", "sweep.json", "results.partial.json",
           "sweep.partial.json", "meta.json", "streams.json", "synthetic.json", "motion.json",
           "pyg_fusion/_bundled/uci_mfeat/"}


def _alternatives(name: str) -> list[str]:
    if "{" not in name:
        return [name]
    head, rest = name.split("{", 1)
    alts, tail = rest.split("}", 1)
    return [head + a + tail for a in alts.split(",")]


def test_every_file_and_record_the_pages_name_is_in_the_repository():
    # a reader follows `benchmarks/results/x.json` or `tests/test_y.py` to check
    # a number or a claim: each path the pages name (from the repository's
    # root) and each record named by its bare file name is there
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")),
             ROOT / "datasets" / "README.md"]
    missing, checked = [], 0
    for page in pages:
        text = page.read_text()
        named = [m.rstrip(".,)") for m in re.findall(
            r"(?<![\w/.-])((?:benchmarks|docs|tests|pyg_fusion|visualize|datasets)/[\w./*{},-]+)",
            text)]
        records = re.findall(r"`([\w*{},.-]+\.json)`", text)
        for name in named:
            for path in _alternatives(name):
                checked += 1
                if path not in WRITTEN and not glob.glob(str(ROOT / path)):
                    missing.append(f"{page.relative_to(ROOT)}: {path}")
        for name in records:
            for record in _alternatives(name):
                checked += 1
                if record not in WRITTEN and not glob.glob(
                        str(ROOT / "benchmarks" / "results" / "**" / record), recursive=True):
                    missing.append(f"{page.relative_to(ROOT)}: {record}")
    assert checked > 300
    assert missing == []


def test_every_flag_the_pages_name_is_a_flag_of_a_command_or_script():
    # the prose names flags outside the commands test_readme_commands.py parses
    # ("`--label-rate` (0.05)", "`--vad-labels`: ..."): a renamed or removed
    # flag left there is one a user types and the parser refuses
    import argparse
    from pyg_fusion.cli import build_parser
    flags = {"--index-url"}  # pip's, in the quick start

    def walk(parser):
        for a in parser._actions:
            flags.update(s for s in a.option_strings if s.startswith("--"))
            if isinstance(a, argparse._SubParsersAction):
                for sub in a.choices.values():
                    walk(sub)

    walk(build_parser())
    scripts = [*(ROOT / "benchmarks").glob("*.py"), *(ROOT / "visualize").glob("*.py"),
               *(ROOT / "benchmarks").glob("*.sh")]
    for script in scripts:
        flags.update(re.findall(r"['\"](--[a-z0-9][\w-]*)['\"]", script.read_text()))
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")),
             ROOT / "datasets" / "README.md"]
    unknown = sorted({f"{page.relative_to(ROOT)}: {flag}" for page in pages
                      for flag in re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)(?![\w*-])",
                                             page.read_text()) if flag not in flags})
    assert unknown == []


def test_the_auto_rules_readme_states_are_the_constants():
    # README's API tour and sparse-against-dense section state the numbers of
    # knn="auto" and backend="auto": a changed constant left them stale
    from pyg_fusion.functional import AUTO_EXACT_MAX_NODES
    from pyg_fusion.functional._knn import AUTO_MIN_RECALL, AUTO_RECALL_SAMPLE
    from pyg_fusion.nn import AUTO_DENSE_MAX_NODES
    said = _readme()
    assert (f"`pyg_fusion.functional.AUTO_EXACT_MAX_NODES` = {AUTO_EXACT_MAX_NODES} nodes per "
            f"graph, above it IVF kept only if its recall sampled on {AUTO_RECALL_SAMPLE} rows "
            f"is >= {AUTO_MIN_RECALL}") in said
    assert f"`AUTO_DENSE_MAX_NODES = {AUTO_DENSE_MAX_NODES}` nodes per graph" in said


def test_processed_files_load_safely_once_pyg_fusion_data_is_imported(tmp_path):
    # README said the processed files load with torch.load(weights_only=True):
    # in a fresh interpreter that fails until pyg_fusion.data registers
    # MultiSourceData as a safe global
    import subprocess
    import sys

    import numpy as np
    assert ("once `pyg_fusion.data` is imported (directly or by `pyg_fusion.datasets`), which "
            "registers `MultiSourceData` with `torch.serialization.add_safe_globals`") in _readme()
    from pyg_fusion.datasets import MultiViewTables
    raw = tmp_path / "raw"
    raw.mkdir()
    np.save(raw / "a.npy", np.arange(12.0).reshape(6, 2))
    (raw / "y.csv").write_text("0\n1\n0\n1\n0\n1\n")
    MultiViewTables(str(tmp_path), ["a.npy"], "y.csv", log=False)
    (cache,) = [p for p in (tmp_path / "processed").glob("tables_*.pt")]
    code = ("import torch, sys\n"
            "try:\n    torch.load(sys.argv[1], weights_only=True)\nexcept Exception:\n"
            "    print('refused')\n"
            "import pyg_fusion.data\ntorch.load(sys.argv[1], weights_only=True)\nprint('loaded')\n")
    out = subprocess.run([sys.executable, "-c", code, str(cache)], capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["refused", "loaded"]


def test_the_method_names_of_readmes_tables_are_methods():
    # a user copies a row's name into --method
    from pyg_fusion.methods import builders
    node = set(builders("node", ["fac", "fou", "kar", "mor", "pix", "zer"]))
    vad = set(builders("vad", ["accel", "gyro", "c3d", "i3d", "swin"]))
    text = (ROOT / "README.md").read_text()
    tables = text[text.index("### Digits: node classification"):
                  text.index("<!-- /section:results-lego -->")]
    named = set(re.findall(r"\|\s*\**([a-z][a-z0-9]*(?:-[a-z0-9]+)+|lego)\**(?: \(row head\))?\s*\|",
                           tables))
    assert len(named) > 30 and sorted(named - node - vad) == []
