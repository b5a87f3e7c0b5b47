"""pyg-fusion compare --help named results.json alone of what it writes: not
results.txt, results.png, the run folders, that it keeps no checkpoints, nor
results.partial.json, the file its --resume reads after an interrupted
compare (found only in --resume's own help)."""
from pyg_fusion.cli import build_parser


def test_compare_help_names_what_it_writes():
    sub = build_parser()._subparsers._group_actions[0].choices["compare"]
    text = " ".join(sub.format_help().split())
    for said in ("OUT/results.txt (the table)", "OUT/results.png (the figure)",
                 "OUT/<method>/seed<k>/ (each run's CSV logs; VAD: its scores.json)",
                 "no checkpoints (`pyg-fusion train` writes them)",
                 "OUT/results.partial.json holds the runs finished so far, which --resume "
                 "reuses after an interrupted compare"):
        assert said in text, said
