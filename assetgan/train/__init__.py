"""Training (PyTorch): DCGAN sprite/texture generators and their ONNX export. Only this package imports torch."""
