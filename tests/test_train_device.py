"""Training placement: --device resolution, bf16 autocast and channels-last (exercised on the CPU), CLI errors, and
the machine a run records (torch, CPU, kernels) with the warning for resuming it elsewhere."""

from __future__ import annotations

import pytest
import torch
from typer.testing import CliRunner

from assetgan.cli.main import app
from assetgan.core.errors import AssetganError
from assetgan.train.cyclegan_loop import CycleGANTrainer, resume_cyclegan
from assetgan.train.dcgan_loop import DCGANTrainer, resume_trainer
from assetgan.train.device import (
    Placement,
    cpu_model,
    machine,
    machine_changes,
    placement,
    resolve_device,
    resume_note,
)
from assetgan.train.distributed import backend_for

from .conftest import SPRITES, load_samples, tiny_config, tiny_cyclegan_config, tiny_domains

runner = CliRunner()


def test_auto_picks_this_ranks_gpu_when_there_is_one_else_the_cpu():
    assert resolve_device("auto", 0, cuda_available=False) == torch.device("cpu")
    assert resolve_device("auto", 3, cuda_available=True, cuda_count=8) == torch.device("cuda", 3)
    assert resolve_device("CUDA", 1, cuda_available=True, cuda_count=2) == torch.device("cuda", 1)
    assert resolve_device("cuda:0", 5, cuda_available=True, cuda_count=1) == torch.device("cuda", 0)
    assert resolve_device("cpu", 0, cuda_available=True, cuda_count=1) == torch.device("cpu")
    assert backend_for(torch.device("cuda", 0)) == "nccl" and backend_for(torch.device("cpu")) == "gloo"


@pytest.mark.parametrize("flag, avail, count, needle", [
    ("cuda", False, 0, "--device cuda: CUDA is not available"),
    ("cuda:2", True, 2, "--device cuda:2: GPU 2 does not exist (2 visible)"),
    ("auto", True, 1, "--device auto: GPU 1 does not exist"),  # torchrun with more ranks than GPUs
    ("tpu", False, 0, "--device tpu: unknown device; use auto, cpu, cuda or cuda:N"),
    ("cuda:x", True, 1, "--device cuda:x: unknown device"),
])
def test_bad_devices_are_one_line_errors_naming_the_flag(flag, avail, count, needle):
    with pytest.raises(AssetganError) as err:
        resolve_device(flag, 1, cuda_available=avail, cuda_count=count)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_cpu_placement_is_plain_fp32_and_contiguous():
    p = placement(torch.device("cpu"), "fp32")
    assert p == Placement() and not p.cuda and p.describe() == "cpu, fp32"
    assert placement(torch.device("cpu"), "bf16").describe() == "cpu, bf16 autocast"
    with pytest.raises(AssetganError, match="--precision fp16"):
        placement(torch.device("cpu"), "fp16")


def _trained(cfg, steps, place=None):
    data = load_samples(cfg)
    tr = DCGANTrainer(cfg, data.images, "unused", {}, place=place)
    losses = [tr.train_step() for _ in range(steps)]
    return tr, losses


def test_bf16_autocast_trains_in_bf16_and_keeps_fp32_weights():
    cfg = tiny_config(steps=3)
    fp32, _ = _trained(cfg, 3)
    bf16, losses = _trained(tiny_config(steps=3, precision="bf16"), 3)
    assert all(p.dtype == torch.float32 for p in bf16.G.parameters())
    assert all(torch.isfinite(v).all() for row in losses for v in row.values())
    with bf16.place.autocast():  # the generator's convolutions really run in bf16 there
        assert bf16.G(torch.randn(2, cfg.nz)).dtype == torch.bfloat16
    gap = max(float((a - b).detach().abs().max()) for a, b in zip(fp32.G.parameters(), bf16.G.parameters()))
    assert 0 < gap < 0.05  # a different rounding, the same training


def test_bf16_run_resumes_exactly(tmp_path):
    cfg = tiny_config(steps=8, checkpoint_every=4, sample_every=100, precision="bf16")
    data = load_samples(cfg)
    full = DCGANTrainer(cfg, data.images, tmp_path / "full", {})
    full.run()
    DCGANTrainer(tiny_config(steps=4, checkpoint_every=4, sample_every=100, precision="bf16"), data.images,
                 tmp_path / "half", {}).run()
    resumed = resume_trainer(tmp_path / "half", data.images, {}, {"steps": 8})
    assert resumed.cfg.precision == "bf16" and resumed.step == 4
    resumed.run()
    a, b = full.state_dict(), resumed.state_dict()
    for net in ("G", "D", "G_ema"):
        assert all(torch.equal(a[net][k], b[net][k]) for k in a[net]), net


def test_channels_last_gives_the_same_training():
    """The CUDA memory format, checked where it can be here: same steps, same weights up to float rounding."""
    cfg = tiny_config(steps=3)
    plain, _ = _trained(cfg, 3)
    cl, _ = _trained(cfg, 3, Placement(channels_last=True))
    conv = next(m for m in cl.D.modules() if isinstance(m, torch.nn.Conv2d))
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)
    for a, b in zip(plain.G.parameters(), cl.G.parameters()):
        torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-3)
    g = cl.export_generator()  # exported from plain contiguous CPU weights
    assert all(p.is_contiguous() and p.device.type == "cpu" for p in g.parameters())


def test_placement_must_match_the_configured_precision():
    cfg = tiny_config(steps=1, precision="bf16")
    with pytest.raises(ValueError, match="precision"):
        DCGANTrainer(cfg, load_samples(cfg).images, "unused", {}, place=Placement())


def test_cyclegan_bf16_trains_and_resumes_exactly(tmp_path):
    cfg = tiny_cyclegan_config(steps=4, checkpoint_every=2, sample_every=100, precision="bf16")
    a, b = tiny_domains(cfg)
    full = CycleGANTrainer(cfg, a, b, tmp_path / "full", {})
    full.run()
    CycleGANTrainer(tiny_cyclegan_config(steps=2, sample_every=100, precision="bf16"), a, b, tmp_path / "half",
                    {}).run()
    resumed = resume_cyclegan(tmp_path / "half", a, b, {}, {"steps": 4})
    resumed.run()
    for key in ("G_AB", "D_B"):
        s1, s2 = full.state_dict()[key], resumed.state_dict()[key]
        assert all(torch.equal(s1[k], s2[k]) for k in s1), key
        assert all(v.dtype == torch.float32 for k, v in s1.items() if v.is_floating_point())


@pytest.mark.parametrize("cmd", [["dcgan", str(SPRITES)], ["cyclegan", "--a", str(SPRITES), "--b", str(SPRITES)]])
def test_cli_device_errors_exit_2_with_one_line(tmp_path, cmd):
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    r = runner.invoke(app, ["train", *cmd, "--dry-run", "--device", "cuda"])
    assert r.exit_code == 2
    assert r.output.strip().startswith("error: --device cuda: CUDA is not available (")
    assert r.output.strip().endswith("use --device cpu or auto") and r.output.count("\n") == 1
    r = runner.invoke(app, ["train", *cmd, "--dry-run", "--precision", "fp16"])
    assert r.exit_code == 2 and "fp16" in r.output


class _AbortAfter:
    """A progress sink that asks to stop once `n` steps are done."""

    def __init__(self, n: int) -> None:
        self.n, self.step = n, 0

    def update(self, step, total, metrics) -> None:
        self.step = step

    def aborted(self) -> bool:
        return self.step >= self.n


def test_polled_decisions_land_on_poll_steps_and_step_budgets_stay_exact(tmp_path):
    """On CUDA under torchrun the joint budget/abort decision is taken every few steps (a host sync each time)."""
    cfg = tiny_config(steps=11, checkpoint_every=100, sample_every=100)
    data = load_samples(cfg)
    tr = DCGANTrainer(cfg, data.images, tmp_path / "steps", {})
    tr.poll_every = 4
    assert tr.run().step == 11  # a step budget needs no poll: it ends on its step
    tr = DCGANTrainer(cfg, data.images, tmp_path / "abort", {})
    tr.poll_every = 4
    result = tr.run(_AbortAfter(5))
    assert result.status == "interrupted" and result.step == 8  # asked at step 5, decided at the next poll


def test_cyclegan_schedule_follows_the_polled_clock(tmp_path):
    """The learning rate reads the clock agreed at the last poll, so ranks between polls use the same rate."""
    cfg = tiny_cyclegan_config(steps=None, minutes=10.0, decay_from=0.0)
    a, b = tiny_domains(cfg)
    tr = CycleGANTrainer(cfg, a, b, tmp_path / "r", {})
    tr.train_seconds = 300.0  # this rank's own time since the last poll moved on ...
    assert tr.lr_now() == pytest.approx(cfg.lr)  # ... but the schedule waits for the agreed clock
    tr.clock = 300.0
    assert tr.lr_now() == pytest.approx(cfg.lr / 2)


def _another(value: str, choices: tuple[str, ...]) -> str:
    """The first of `choices` that differs from `value`: a machine property this machine does not have."""
    return next(c for c in choices if c != value)


def test_the_machine_record_names_torch_the_cpu_and_its_kernels():
    """Holds on any machine (x86-64 with or without AVX2/AVX512, arm64): the record names what torch reports here."""
    m = machine(Placement())
    assert set(m) == {"torch", "cpu", "cpu_kernels"}  # a CPU placement records no GPU, even on a machine with one
    assert all(isinstance(v, str) and v.strip() and "\n" not in v for v in m.values()), m
    assert m["torch"] == str(torch.__version__)
    assert m["cpu_kernels"] == str(torch.backends.cpu.get_cpu_capability())
    assert m["cpu"] == cpu_model()
    assert machine_changes(m, dict(m)) == [] and machine_changes(None, m) == [] and machine_changes({}, m) == []
    kernels = _another(m["cpu_kernels"], ("AVX2", "AVX512", "DEFAULT"))
    old_torch = _another(m["torch"], ("2.4.0", "2.5.1"))
    other = dict(m, torch=old_torch, cpu_kernels=kernels)
    assert machine_changes(other, m) == [f"cpu_kernels {kernels} -> {m['cpu_kernels']}",
                                         f"torch {old_torch} -> {m['torch']}"]
    assert machine_changes(dict(m, gpu="NVIDIA H200"), m) == ["gpu NVIDIA H200 -> none"]
    assert resume_note(m, Placement()) is None
    note = resume_note(other, Placement())
    assert note.startswith(f"resuming on a different machine (cpu_kernels {kernels} -> ") and "\n" not in note
    assert "bit for bit" in note


@pytest.mark.parametrize("cpuinfo, arch, expected", [
    ("processor\t: 0\nmodel name\t: AMD EPYC 7763 64-Core Processor\n", "x86_64", "AMD EPYC 7763 64-Core Processor"),
    ("processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\n", "aarch64", "aarch64"),  # arm64: no model name
    (None, "arm64", "arm64"),  # no /proc/cpuinfo (macOS)
])
def test_cpu_model_reads_whatever_the_machine_offers(tmp_path, monkeypatch, cpuinfo, arch, expected):
    import builtins

    from assetgan.train import device

    real_open = builtins.open

    def fake_open(file, *args, **kwargs):
        if file == "/proc/cpuinfo":
            if cpuinfo is None:
                raise FileNotFoundError(file)
            (tmp_path / "cpuinfo").write_text(cpuinfo)
            file = tmp_path / "cpuinfo"
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(device.platform, "processor", lambda: "")
    monkeypatch.setattr(device.platform, "machine", lambda: arch)
    assert device.cpu_model() == expected


def test_cli_resume_on_another_machine_warns_once_and_continues(tmp_path):
    from assetgan.train.checkpoint import load_checkpoint, save_checkpoint

    run = tmp_path / "run"
    args = ["train", "dcgan", str(SPRITES), "--out", str(run), "--set", "nz=16", "--set", "ngf=8",
            "--set", "ndf=8", "--batch",
            "8", "--steps", "2", "--set", "checkpoint_every=2", "--set", "sample_every=100", "--threads", "1"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    cfg_json = (run / "config.json").read_text()
    state = load_checkpoint(run)
    assert state["machine"] == machine(Placement()) and '"cpu_kernels"' in cfg_json
    r = runner.invoke(app, ["train", "dcgan", "--resume", str(run), "--steps", "3"])
    assert r.exit_code == 0 and "different machine" not in r.output  # the same machine: nothing to say
    state = load_checkpoint(run)
    state["machine"] = dict(state["machine"], cpu_kernels="AVX2" if state["machine"]["cpu_kernels"] != "AVX2"
                            else "DEFAULT")
    save_checkpoint(run / "checkpoint.pt", state)
    r = runner.invoke(app, ["train", "dcgan", "--resume", str(run), "--steps", "4"])
    assert r.exit_code == 0, r.output
    assert r.output.count("resuming on a different machine (cpu_kernels ") == 1
    assert load_checkpoint(run)["step"] == 4 and load_checkpoint(run)["machine"] == machine(Placement())
