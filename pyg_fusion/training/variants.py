"""The variants of the RGB-D segmentation ablation, by name: a table with no
heavy import, read by the command line to list its choices."""
from __future__ import annotations

# name -> (inputs, builder options); the ablation's rows in order
VARIANTS: dict[str, tuple[str, dict]] = {
    "rgb": ("rgb", dict(modalities=("rgb", ))),
    "depth": ("depth", dict(modalities=("depth", ))),
    "early-concat": ("concat", dict(modalities=("rgbd", ), in_channels=6)),
    "late-sum": ("both", dict(share=False, head="sum")),
    "separate": ("both", dict(share=False)),
    "shared": ("both", dict(fusion=False)),
    "shuffle": ("both", dict(shift=False)),
    "shift": ("both", dict(shuffle=False)),
    "asymfusion": ("both", dict()),
}
