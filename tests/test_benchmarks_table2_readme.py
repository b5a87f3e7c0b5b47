"""The Table 2 of docs/results/vad_studies.md (SyntheticVAD, the paper's three
settings; it moved there from README) is the table that benchmarks/vad_table2.py
prints from its recorded records."""
import json
from pathlib import Path

from benchmark_scripts import load_benchmark

ROOT = Path(__file__).resolve().parent.parent
HEAD = "**SyntheticVAD, the three settings of the paper's Table 2**"


def test_readme_table2_is_what_vad_table2_prints_of_its_records():
    # the table once predated the seeds column and the params / s per epoch
    # of the multi-modal-only rows ('-' there; the records hold them)
    page = ROOT / "docs" / "results" / "vad_studies.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(HEAD))
    first = next(i for i in range(start, len(lines)) if lines[i].startswith("| method |"))
    end = next(i for i in range(first, len(lines)) if not lines[i].startswith("|"))
    records = json.loads((ROOT / "benchmarks/results/vad_table2.json").read_text())
    assert "\n".join(lines[first:end]) == load_benchmark("vad_table2").markdown(records)
