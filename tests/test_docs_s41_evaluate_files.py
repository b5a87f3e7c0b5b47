"""README's VAD section names every file ``evaluate`` writes for test videos
with ground truth, as its last line does: ``scores.csv`` was described for
``--vad-gt none`` alone, and ``results.txt`` not at all."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_names_what_evaluate_writes_for_videos_with_ground_truth():
    text = " ".join((ROOT / "README.md").read_text().split())
    said = text[text.index("`evaluate` writes the frame-level metrics"):
                text.index("**New videos without ground truth.**")]
    source = (ROOT / "pyg_fusion" / "cli" / "evaluate.py").read_text()
    wrote = source[source.index('if td.task == "vad":\n        print(f"\\nwrote'):]
    wrote = wrote[:wrote.index("return 0")]
    files = re.findall(r"\w+\.(?:json|txt|csv)", wrote)
    assert sorted(set(files)) == ["results.json", "results.txt", "scores.csv", "scores.json"]
    assert all(f"`runs/motion-eval/{f}`" in said or f"`{f}`" in said for f in files), said
    assert "`video,snippet,first_frame,last_frame,score`" in said
