"""Training, export and parity checks: the only package that imports torch."""
