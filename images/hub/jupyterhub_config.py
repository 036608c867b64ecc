# JupyterHub's configuration file: everything lives in the coursehub package.
from coursehub.config import configure

configure(get_config())  # noqa: F821
