"""assetgan: GAN-generated game sprites and textures, trained in PyTorch and run torch-free with ONNX Runtime."""

__version__ = "0.1.0"
