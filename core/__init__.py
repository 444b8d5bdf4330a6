"""Simili's engine: scan, decode, embed, index and search a photo library, with no UI."""

__version__ = "0.1.0"
