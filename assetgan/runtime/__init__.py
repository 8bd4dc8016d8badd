"""Torch-free runtime: open assetgan ONNX models with ONNX Runtime and generate images from seeds."""

from .card import ModelCard
from .latent import latents_for_seeds, seed_latent
from .model import GeneratorModel, open_model

__all__ = ["ModelCard", "GeneratorModel", "open_model", "latents_for_seeds", "seed_latent"]
