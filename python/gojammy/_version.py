"""The package version; the loaded libgojammy must report the same version."""

__version__ = "0.1.0"
