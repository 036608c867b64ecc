"""Self-checks for the exercises, one module per notebook: ``partN_XX`` for ``partN-*/XX-*.ipynb``."""
