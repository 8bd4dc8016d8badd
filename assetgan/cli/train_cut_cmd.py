"""`assetgan train cut`: one-way unpaired translation (photo -> painting) by contrastive learning, exported to ONNX."""

from __future__ import annotations

from . import train_common as tc
from .common import handle_errors


@handle_errors
def cut(
    a: tc.AOption = None,
    b: tc.BOption = None,
    name_a: tc.NameAOption = None,
    name_b: tc.NameBOption = None,
    licence_a: tc.LicenceAOption = None,
    licence_b: tc.LicenceBOption = None,
    crop: tc.CropOption = None,
    steps: tc.StepsOption = None,
    minutes: tc.MinutesOption = None,
    batch: tc.PairBatchOption = None,
    seed: tc.SeedOption = None,
    out: tc.OutOption = None,
    name: tc.NameOption = None,
    resume: tc.ResumeOption = None,
    force: tc.ForceOption = False,
    device: tc.DeviceOption = "auto",
    precision: tc.PrecisionOption = None,
    threads: tc.ThreadsOption = None,
    sets: tc.SetOption = None,
    config: tc.ConfigOption = None,
    show_config: tc.PrintConfigOption = False,
    dry_run: tc.DryRunOption = False,
) -> None:
    """Train a one-way translator A -> B with CUT (Park et al. 2020: one generator, PatchNCE instead of the cycle)
    and export it to ONNX. About half CycleGAN's time per step; `stylize` runs it a2b only. Options left out take
    the config's defaults (see --print-config; --set lambda_nce, nce_idt, nce_patches, nce_temperature)."""
    tc.require_torch()
    from ..train.options import cut_config
    from ..train.run import load_run

    if resume is not None:
        cfg = load_run(resume, "cut", steps, minutes)[1]
    else:
        given = {"name_a": name_a, "name_b": name_b, "licence_a": licence_a, "licence_b": licence_b, "crop": crop,
                 "steps": steps, "minutes": minutes, "batch": batch, "seed": seed, "threads": threads,
                 "precision": precision.value if precision else None}
        cfg = cut_config(None if a is None else str(a), None if b is None else str(b), given, config, sets or [],
                         dry_run, not show_config)
    if show_config:
        tc.print_config(cfg)
        return
    tc.finish(tc.run_training("cut", cfg, resume, out, device, force, name))
