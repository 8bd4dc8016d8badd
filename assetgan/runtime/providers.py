"""Execution-provider choice and session options for ONNX Runtime: prefer GPUs that actually load, report what is in
use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

PREFERENCE = (
    "CUDAExecutionProvider",
    "DmlExecutionProvider",
    "CoreMLExecutionProvider",
    "CPUExecutionProvider",
)

_SHORT = {
    "CUDAExecutionProvider": "CUDA",
    "TensorrtExecutionProvider": "TensorRT",
    "DmlExecutionProvider": "DirectML",
    "CoreMLExecutionProvider": "CoreML",
    "CPUExecutionProvider": "CPU",
}


def short_name(provider: str) -> str:
    """'CUDAExecutionProvider' -> 'CUDA'."""
    return _SHORT.get(provider, provider.replace("ExecutionProvider", ""))


def parse_device(device: str) -> list[str] | None:
    """'auto' -> None (use preference); 'cpu' -> CPU only; 'cuda'/'directml'/'coreml' -> that, then CPU."""
    d = device.lower()
    if d == "auto":
        return None
    table = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider", "gpu": "CUDAExecutionProvider",
             "directml": "DmlExecutionProvider", "coreml": "CoreMLExecutionProvider"}
    if d not in table:
        from ..core.errors import AssetganError

        raise AssetganError(f"--device {device}: choose auto, cpu, cuda, directml or coreml")
    return [table[d], "CPUExecutionProvider"] if d != "cpu" else ["CPUExecutionProvider"]


def candidate_providers(available: Sequence[str], wanted: Sequence[str] | None = None) -> list[str]:
    """Providers to ask for, best first, restricted to those this onnxruntime build offers."""
    order = list(wanted) if wanted else list(PREFERENCE)
    chosen = [p for p in order if p in available]
    if "CPUExecutionProvider" not in chosen:
        chosen.append("CPUExecutionProvider")
    return chosen


# Graph rewrites switched off in every session: on the CPU, the NHWC rewrite of int8 convolutions leaves the
# generator's InstanceNorm reductions on channels-last tensors, 13x slower, and an int8 model no quicker than fp32.
DISABLED_OPTIMIZERS = ("NhwcTransformer",)


def session_options(ort: Any) -> Any:
    """`onnxruntime.SessionOptions` for assetgan's generators (figures in lab/2026-12-06-stylize-speed.md).

    All graph optimisations; one intra-op thread per physical core and worker threads that spin between operators
    (ONNX Runtime's defaults: on a quiet 2-core CPU spinning took x0.91 the time of sleeping for a 1080p stylize pass
    and x0.84 for 64 sprites, and the app's event-loop stalls during a batch were no longer); no memory pattern,
    which at 1080p ran as fast and kept a second 580 MB plan on top of the arena.
    """
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.enable_mem_pattern = False
    return opts
