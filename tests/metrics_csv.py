"""Reads a training run's Lightning CSV log, for tests of what each epoch did."""


def val_losses(folder) -> dict[int, float]:
    """``{epoch: val_loss}`` of the run logged under ``folder`` (``logs/version_0``)."""
    rows = (folder / "logs" / "version_0" / "metrics.csv").read_text().splitlines()
    head = rows[0].split(",")
    out = {}
    for row in rows[1:]:
        cells = row.split(",")
        if cells[head.index("val_loss")]:
            out[int(cells[head.index("epoch")])] = float(cells[head.index("val_loss")])
    return out
