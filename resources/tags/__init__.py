"""The word list for searching photos by words (built by core/training/words.py)."""
