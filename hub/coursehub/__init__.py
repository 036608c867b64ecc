"""coursehub: a self-hosted JupyterHub course platform."""

__version__ = "0.1.0"
