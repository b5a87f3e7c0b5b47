"""The CLI's error contract for bad values generated per kind of flag (empty
paths, huge sizes, ...), the cases that the hand-written catalogues
(tests/test_errors_cli.py, test_errors_cli_image.py, test_cli_user.py) did
not hold: each prints one line ``pyg-fusion <command>: error: ...`` naming
the flag and exits with 2, or shows its defined behaviour; see
tests/bad_inputs.py."""
import pytest
import torch

from bad_inputs import CLICase, Defined, cli_outcome
from test_errors_cli import TRAIN_CKPT, _save, _translation_checkpoint, _write

_VAD = ["train", "--dataset", "vad", "--vad-source", "a=f/{name}.npy", "--root", "{tmp}/data",
        "--out", "{tmp}/o"]
_EMPTY = r"argument {}: expected a file, got an empty path"
# the image commands with tiny settings, should a flag not stop them
_SEG = ["segment", "train", "--size", "16", "--num-train", "4", "--num-test", "2", "--layers",
        "1,1,1,1", "--width", "4", "--decoder-features", "8", "--light", "--epochs", "1",
        "--root", "{tmp}/data", "--out", "{tmp}/o", "--no-progress"]
_TR = ["translate", "train", "--image-size", "16", "--num-downs", "4", "--ngf", "2", "--ndf", "2",
       "--num-train", "4", "--epochs", "1", "--root", "{tmp}/data", "--out", "{tmp}/o",
       "--no-progress"]


def _with(*setups):
    def setup(tmp):
        for one in setups:
            one(tmp)
    return setup


def _huge_k_is_every_neighbour():
    """k beyond a graph's size keeps every pair of each graph, as k = N - 1
    does, without sizing anything by k (10**12 was a MemoryError)."""
    from pyg_fusion.functional import relation_graph
    x = torch.randn(30, 4, generator=torch.Generator().manual_seed(0))
    batch = torch.tensor([0] * 12 + [1] * 18)
    for knn in ("exact", "approx", "auto"):
        every = relation_graph(x, batch, k=17, knn=knn)
        assert every[0].size(1) == 12 * 12 + 18 * 18
        for k in (18, 10 ** 6, 10 ** 12):
            edge_index, weight = relation_graph(x, batch, k=k, knn=knn)
            assert torch.equal(edge_index, every[0]) and torch.equal(weight, every[1])


def _exported_program_loads():
    """An exported program (torch.export.save), which --inception's help
    names, loads and gives its network's features (its module refused the
    eval() that a TorchScript file takes: NotImplementedError)."""
    import tempfile

    from pyg_fusion.training.translation_eval import load_feature_extractor

    class Pool(torch.nn.Module):
        def forward(self, x):
            return torch.cat([x.mean((2, 3)), x.amax((2, 3))], 1)

    x = torch.rand(3, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    program = torch.export.export(Pool(), (x, ), dynamic_shapes={
        "x": {0: torch.export.Dim("batch", min=1)}})
    with tempfile.TemporaryDirectory() as tmp:
        torch.export.save(program, f"{tmp}/net.pt2")
        extractor = load_feature_extractor(f"{tmp}/net.pt2", image_size=8)
    assert extractor.num_features == 6
    assert torch.equal(extractor(x), Pool()(x))


def _vad_file_a_folder():
    """The VAD datasets' file check calls a folder a folder (it said 'file
    not found: DIR', e.g. of --vad-gt DIR)."""
    import tempfile

    from pyg_fusion.datasets._io import require_file
    with tempfile.TemporaryDirectory() as tmp:
        with pytest.raises(IsADirectoryError,
                           match=r"^ground truth: .* is a folder; expected a file$"):
            require_file(tmp, "ground truth")


def catalogue():
    return [
        # an input file given as an empty path (an unset shell variable) named
        # ROOT/raw or the current folder, not the flag
        CLICase("train: --vad-train-list empty",
                [*_VAD, "--vad-train-list", "", "--vad-test-list", "t.list"],
                _EMPTY.format("--vad-train-list")),
        CLICase("train: --vad-test-list empty",
                [*_VAD, "--vad-train-list", "t.list", "--vad-test-list", " "],
                _EMPTY.format("--vad-test-list")),
        CLICase("train: --vad-gt empty", [*_VAD, "--vad-gt="], _EMPTY.format("--vad-gt")),
        CLICase("train: an empty item of --views",
                ["train", "--dataset", "tables", "--views", "{tmp}/a.csv", "", "--labels",
                 "{tmp}/y.csv", "--out", "{tmp}/o"], _EMPTY.format("--views")),
        CLICase("evaluate: --labels empty",
                ["evaluate", "--checkpoint", "{tmp}/c.ckpt", "--labels", ""],
                _EMPTY.format("--labels")),
        # ... or read as not given: trained from scratch, validated on synthetic scenes
        CLICase("segment train: --pretrained empty",
                [*_SEG, "--pretrained", ""], _EMPTY.format("--pretrained")),
        CLICase("translate train: --val-data empty",
                [*_TR, "--val-data", ""], _EMPTY.format("--val-data")),
        CLICase("translate evaluate: --inception empty",
                ["translate", "evaluate", "--checkpoint", "{tmp}/c.ckpt", "--out", "{tmp}/o",
                 "--inception", ""], _EMPTY.format("--inception")),
        # plot's inputs given empty read as not given: another input's error, or
        # the default sources drawn
        CLICase("plot: --checkpoint empty",
                ["plot", "adjacency", "--checkpoint", "", "--out", "{tmp}/o.png"],
                _EMPTY.format("--checkpoint")),
        # evaluate's said '--checkpoint: no such file: ' (naming nothing), and
        # translate evaluate's --print-config printed a config
        *[CLICase(f"{' '.join(cmd)}: --checkpoint empty",
                  [*cmd, "--checkpoint", "", *more], _EMPTY.format("--checkpoint"))
          for cmd in (["evaluate"], ["segment", "evaluate"], ["translate", "evaluate"])
          for more in (["--out", "{tmp}/o"], ["--print-config"])
          if not (cmd == ["evaluate"] and more == ["--print-config"])],
        CLICase("plot: --input empty", ["plot", "operator", "--input=", "--out", "{tmp}/o.png"],
                _EMPTY.format("--input")),
        CLICase("plot: --source empty",
                ["plot", "relation-graph", "--input", "{tmp}/g.pt", "--source", "", "--out",
                 "{tmp}/o.png"], r"--source names no source, got ''$"),
        CLICase("plot: --sources of empty items",
                ["plot", "adjacency", "--input", "{tmp}/g.pt", "--sources", ",", "--out",
                 "{tmp}/o.png"], r"--sources names no source, got ','$"),
        # U-Net levels and critic layers beyond any image: their powers of two were
        # computed in full (10**12: a hang) and printed (10**6: Python's 4300-digit
        # limit was the error, naming no flag)
        CLICase("translate train: --num-downs 10**6",
                ["translate", "train", "--image-size", "16", "--num-downs", "1000000", "--out",
                 "{tmp}/o"],
                r"--image-size 16 is not divisible by 2\*\*num_downs = 2\*\*1000000$"),
        CLICase("translate train: --d-layers 10**6",
                ["translate", "train", "--image-size", "16", "--d-layers", "1000000", "--out",
                 "{tmp}/o"],
                r"--image-size 16 is too small for the PatchGAN critic with --d-layers 1000000, "
                r"which needs >= 3 \* 2\*\*1000000 pixels"),
        # a folder given as --input was 'no such file'
        CLICase("plot: --input a folder (JSON kinds)",
                ["plot", "pq-sensitivity", "--input", "{tmp}", "--out", "{tmp}/o.png"],
                r"--input: .* is a folder; expected a file$"),
        CLICase("plot: --input a folder (graph kinds)",
                ["plot", "adjacency", "--input", "{tmp}", "--out", "{tmp}/o.png"],
                r"--input: .* is a folder; expected a file$"),
        # a YAML list given to a path: joined with commas it passed as one path
        CLICase("train --config: --root as a list",
                ["train", "--config", "{tmp}/c.yaml", "--print-config"],
                r"--config .*c\.yaml: root is one path, got the list \['a', 'b'\]$",
                _write("c.yaml", b"root: [a, b]\n")),
        CLICase("segment train --config: --pretrained as a list",
                ["segment", "train", "--config", "{tmp}/c.yaml", "--print-config"],
                r"--config .*c\.yaml: pretrained is one path, got the list \['w\.pth'\]$",
                _write("c.yaml", b"pretrained: [w.pth]\n")),
        # a size that no machine holds: numpy's MemoryError or torch's allocator
        # error ended the command with a traceback
        CLICase("segment train: --size 10**12 (numpy runs out of memory)",
                [*_SEG, "--size", "1000000000000"],
                r"out of memory \(Unable to allocate .*\); the integers given, largest first: "
                r"--size 1000000000000, --decoder-features 8, --num-train 4$"),
        CLICase("translate train: --ngf 10**12 (torch's allocator runs out of memory)",
                [*_TR, "--ngf", "1000000000000"],
                r"out of memory \(.*can't allocate memory.*\); the integers given, largest "
                r"first: --ngf 1000000000000, "),
        CLICase("train: --num-layers 10**12 (Python's MemoryError, without a message)",
                ["train", "--dataset", "digits", "--num-layers", "1000000000000", "--epochs",
                 "1", "--root", "{tmp}/data", "--out", "{tmp}/o", "--no-progress"],
                r"train: error: out of memory; the integers given, largest first: "
                r"--num-layers 1000000000000, --epochs 1$"),
        # an operator file given as --input was named --checkpoint
        CLICase("plot operator: --input a .pt file that torch cannot read",
                ["plot", "operator", "--input", "{tmp}/a.pt", "--out", "{tmp}/o.png"],
                r"error: --input: cannot read .*a\.pt \(not a file written by torch\.save\)$",
                _write("a.pt", b"not tensors\n")),
        CLICase("plot operator: --input holding an ensemble's state",
                ["plot", "operator", "--input", "{tmp}/e.pt", "--out", "{tmp}/o.png"],
                r"error: --input: .*e\.pt holds an ensemble of restarts",
                _save("e.pt", {"members.0.fusion.A.a|b": torch.ones(2, 2)})),
        # a folder where a file is expected was called missing
        CLICase("train: --labels a folder",
                ["train", "--dataset", "tables", "--views", "{tmp}/a.csv", "--labels", "{tmp}",
                 "--out", "{tmp}/o"], r"--labels: .* is a folder; expected a file$",
                _write("a.csv", b"1,2\n3,4\n")),
        CLICase("translate evaluate: --inception a folder",
                ["translate", "evaluate", "--checkpoint", "{tmp}/tr.ckpt", "--out", "{tmp}/o",
                 "--inception", "{tmp}"],
                r"Inception checkpoint '.*' is a folder; expected a TorchScript or torch.export "
                r"file$", _translation_checkpoint),
        Defined("a VAD file (--vad-gt, lists, features) that is a folder", _vad_file_a_folder),
        # evaluate's hidden --seeds was parsed once the command ran: argparse's
        # error escaped as a traceback; the flag is gone (evaluate scores the
        # checkpoint's seed), any value is one line
        CLICase("evaluate: --seeds not integers",
                ["evaluate", "--checkpoint", "{tmp}/t.ckpt", "--seeds", "x"],
                r"unrecognized arguments: --seeds x \(see pyg-fusion evaluate --help\)$",
                _save("t.ckpt", TRAIN_CKPT)),
        CLICase("evaluate: --seeds empty", ["evaluate", "--checkpoint", "{tmp}/t.ckpt",
                                            "--seeds", ","],
                r"unrecognized arguments: --seeds , \(see pyg-fusion evaluate --help\)$",
                _save("t.ckpt", TRAIN_CKPT)),
        # a file that is no network: torch.export.load logged its failure with a
        # traceback (about 30 lines) before the one-line error
        CLICase("translate evaluate: --inception a text file",
                ["translate", "evaluate", "--checkpoint", "{tmp}/tr.ckpt", "--out", "{tmp}/o",
                 "--inception", "{tmp}/net.pt"],
                r"cannot read Inception checkpoint '.*net\.pt' as a TorchScript file or an "
                r"exported program \(TorchScript: RuntimeError; torch.export: ValueError\)",
                _with(_translation_checkpoint, _write("net.pt", b"not a network\n"))),
        Defined("--inception: an exported program loads", _exported_program_loads),
        Defined("relation_graph: k of 10**12 keeps every pair, as k = N - 1",
                _huge_k_is_every_neighbour),
    ]


CASES = catalogue()


@pytest.mark.parametrize("case", [c for c in CASES if isinstance(c, CLICase)],
                         ids=lambda c: c.id)
def test_one_line_error_exit_2(case, tmp_path):
    kind, detail = cli_outcome(case, str(tmp_path))
    assert kind == "clear", detail


@pytest.mark.parametrize("case", [c for c in CASES if isinstance(c, Defined)],
                         ids=lambda c: c.id)
def test_defined_behaviour(case):
    case.fn()


def test_an_error_in_a_data_loader_worker_is_its_own_one_line(tmp_path, capsys):
    # torch re-raises a worker's error with the worker's whole traceback in its
    # message: segment train --workers 1 on a training depth file cut short
    # printed that traceback flattened into one line of about 2,500 characters
    from pyg_fusion.cli import main
    from test_asym_user import SEG, _write_scenes
    root = tmp_path / "nyud"
    _write_scenes(root, "train", [(24, 32)] * 2)
    _write_scenes(root, "val", [(24, 32)], seed=1)
    data = (root / "train1_depth.png").read_bytes()
    (root / "train1_depth.png").write_bytes(data[:len(data) // 2])
    assert main(["segment", "train", "--data", "nyud", "--root", str(root), *SEG,
                 "--workers", "1", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"pyg-fusion segment train: error: cannot read depth file "
                   f"{root / 'train1_depth.png'}: image file is truncated"), err
