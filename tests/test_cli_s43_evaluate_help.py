"""segment evaluate --help gave --depth-scale and --crop-size the help of
train ("nyud depth PNG value x this = metres (NYUDv2's 1/5000; 0.001 for
millimetres)", "nyud training crop"), flags that evaluate takes only at the
checkpoint's value and refuses otherwise: the help now says so."""
import pytest

from pyg_fusion.cli import main


def _help(capsys, *command):
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    return " ".join(capsys.readouterr().out.split())


def test_segment_evaluate_help_says_these_flags_are_the_checkpoints(capsys):
    text = _help(capsys, "segment", "evaluate")
    assert ("--depth-scale DEPTH_SCALE nyud depth PNG value x this = metres: the test scenes "
            "are read as the checkpoint's training scenes were, another is refused (default: "
            "the checkpoint's)") in text
    assert ("--crop-size CROP_SIZE nyud training crop, not read by evaluate (each test scene "
            "is scored at its own size): another is refused (default: the checkpoint's)") in text
    assert "millimetres" not in text


def test_segment_train_help_keeps_its_own(capsys):
    text = _help(capsys, "segment", "train")
    assert ("--depth-scale DEPTH_SCALE nyud depth PNG value x this = metres (NYUDv2's 1/5000; "
            "0.001 for millimetres) (default: 0.0002)") in text
    assert "--crop-size CROP_SIZE nyud training crop (default: 500)" in text


def test_translate_evaluate_help_says_what_evaluate_reads(capsys):
    """--modalities said '(evaluate: default those of the checkpoint) (default:
    the checkpoint's)' (and train's help spoke of evaluate); --seed 'seed of
    the weights and the batches', which evaluate neither makes nor shuffles."""
    text = _help(capsys, "translate", "evaluate")
    assert ("--modalities MODALITIES comma-separated input modalities: the checkpoint's, "
            "another is refused (default: the checkpoint's)") in text
    assert ("--seed SEED seed of the synthetic test scenes unless --data-seed is given "
            "(evaluate draws nothing else) (default: the checkpoint's)") in text
    train = _help(capsys, "translate", "train")
    assert ("--modalities MODALITIES comma-separated input modalities (default: "
            "shade,depth)") in train


def test_segment_evaluate_workers_help_speaks_of_no_crops(capsys):
    """--workers said 'another count is another run: each worker draws its own
    crops and flips', training's: the test scenes are scored whole."""
    text = _help(capsys, "segment", "evaluate")
    assert ("--workers WORKERS data loader workers (the test scenes are neither cropped nor "
            "flipped: any count scores the same); at most 4 x the CPUs this process may use "
            "(default: the checkpoint's)") in text
