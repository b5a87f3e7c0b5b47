"""Records without the versions that computed them were not told apart:
benchmarks/results/README.md names each of them."""
import json
import pathlib
import re

RESULTS = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "results"


def _names(record, key):
    if isinstance(record, dict):
        return key in record or any(_names(v, key) for v in record.values())
    return isinstance(record, list) and any(_names(v, key) for v in record)


def test_records_without_versions_are_named_in_the_readme():
    unversioned = {str(p.relative_to(RESULTS)) for p in RESULTS.rglob("*.json")
                   if not any(_names(json.loads(p.read_text()), k)
                              for k in ("versions", "machine"))}
    readme = (RESULTS / "README.md").read_text()
    section = readme.split("## Records without versions", 1)[1]
    assert set(re.findall(r"`([^`]+\.json)`", section)) == unversioned
    assert "vad_support_gradient_synthetic.json" in unversioned
