"""The PySide6 desktop app: the only Qt code in Simili."""
