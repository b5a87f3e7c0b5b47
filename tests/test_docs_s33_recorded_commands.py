"""A command that README gives for a recorded result writes where the
record is: since aa02934 benchmarks/translation_ablation.py defaults to
runs/translation_ablation, so README's command for
benchmarks/results/translation names its --out, and the default it states is
the script's."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readmes_translation_ablation_command_writes_the_recorded_run():
    readme = " ".join((ROOT / "README.md").read_text().split())
    said = re.search(r"`python benchmarks/translation_ablation\.py --out (\S+)` \(243 s .*?"
                     r"without `--out` the script writes to `([^`]+)`", readme)
    assert said, "README's translation command changed: update this test"
    assert said[1] == "benchmarks/results/translation"
    assert (ROOT / said[1] / "results.json").is_file()
    script = (ROOT / "benchmarks" / "translation_ablation.py").read_text()
    assert re.search(r'add_argument\("--out", default="([^"]+)"', script)[1] == said[2]
