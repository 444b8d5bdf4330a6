"""Shipped data files (the ONNX model and its manifest); a package only so installs carry it."""
