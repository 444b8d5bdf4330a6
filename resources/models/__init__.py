"""The shipped embedding models and their manifests."""
