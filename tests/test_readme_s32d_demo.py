"""README's demo paragraph told the learned operator's pattern (weak-strong
pairs up to A[1,1] = 2.5-2.8, strong pairs turned down) as what the demo's
figure shows; since fit_node returns the chosen epoch's model (9184ec5) the
figure draws epoch 10 of 40, where A is still near its start, and the
pattern is the last epoch's, which train's last.ckpt keeps."""
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_demo_paragraph_says_which_epochs_operator_each_figure_draws():
    text = " ".join(README.read_text().split())
    said = text[text.index("Each figure draws the model the run tested"):
                text.index("Next: the commands behind every table")]
    assert "of the epoch chosen on validation" in said
    assert "that is epoch 10 of 40, where A is still near its start" in said
    # the measured values keep their numbers, now told as the last epoch's
    assert "Trained to its last epoch, the same run's operators show what LEGO learns" in said
    for number in ("A[1,1] = 2.5-2.8", "fac|kar 1.24", "fac|pix 1.60", "kar|pix 0.78"):
        assert number in said, number
    train = re.search(r"`(pyg-fusion train [^`]+)`", said).group(1)
    plot = re.search(r"`(pyg-fusion plot operator [^`]+)`", said).group(1)
    run = train.split("--out ")[1].split()[0]
    assert "--features labels --method lego --epochs 40 --eval-every 5" in train
    assert f"--checkpoint {run}/lego/seed0/checkpoints/last.ckpt" in plot

