"""docs/figures.md says how plot anomaly-scores draws a scores.json of
videos of several frame rates; the statement is quoted beside the command."""
from pathlib import Path

FIGURES = Path(__file__).resolve().parent.parent / "docs" / "figures.md"


def test_figures_page_says_each_video_is_drawn_at_its_recorded_rate(tmp_path):
    # docs/figures.md: "anomaly-scores --input draws each video of a scores.json
    # at the frames per snippet the file records for it ... a --frames-per-snippet
    # other than a recorded rate is refused"
    import torch
    from pyg_fusion.cli import main
    from pyg_fusion.training._vad_scores import write_test_scores
    text = " ".join(FIGURES.read_text().split())
    assert ("draws each video of a `scores.json` at the frames per snippet the file records "
            "for it" in text and "takes one int or a dict per video); a `--frames-per-snippet` "
            "other than a recorded rate is refused" in text)
    videos = []
    for name, rate in (("a", 16), ("b", 15)):
        s = torch.linspace(0, 1, 10)
        gt = torch.zeros(10 * rate)
        gt[2 * rate:5 * rate] = 1
        videos.append({"name": name, "label": 1, "frames_per_snippet": rate, "scores": s,
                       "frame_scores": s.repeat_interleave(rate), "gt": gt})
    path = tmp_path / "scores.json"
    write_test_scores(path, videos)
    out = ["--out", str(tmp_path / "s.png"), "--threads", "1"]
    assert main(["plot", "anomaly-scores", "--input", str(path), *out]) == 0
    assert main(["plot", "anomaly-scores", "--input", str(path), *out,
                 "--frames-per-snippet", "16"]) == 2
