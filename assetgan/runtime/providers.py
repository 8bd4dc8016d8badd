"""Execution-provider choice for ONNX Runtime: prefer GPUs that actually load, report what is in use."""

from __future__ import annotations

from collections.abc import Sequence

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
