# JupyterHub's official Docker deployment example, as an admin would run it (see bench/README).
import os

c = get_config()  # noqa: F821
project = os.environ["BENCH_PROJECT"]
c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
c.DockerSpawner.image = "coursehub/notebook:0.1.0"
c.DockerSpawner.cmd = ["jupyterhub-singleuser"]  # no course sync
c.DockerSpawner.network_name = os.environ["DOCKER_NETWORK_NAME"]
c.DockerSpawner.notebook_dir = "/home/jovyan/work"
c.DockerSpawner.volumes = {project + "-home-{username}": "/home/jovyan/work"}
c.DockerSpawner.remove = True
c.DockerSpawner.debug = False
c.DockerSpawner.name_template = project + "-{username}"
# Only so that the benchmark can clean up after itself.
c.DockerSpawner.extra_create_kwargs = {"labels": {"coursehub.prefix": project}}
c.JupyterHub.hub_ip = "0.0.0.0"
c.JupyterHub.hub_connect_ip = "hub"
c.JupyterHub.hub_port = 8080
c.JupyterHub.cookie_secret_file = "/data/jupyterhub_cookie_secret"
c.JupyterHub.db_url = "sqlite:////data/jupyterhub.sqlite"
c.JupyterHub.authenticator_class = "nativeauthenticator.NativeAuthenticator"
c.NativeAuthenticator.open_signup = True
c.Authenticator.allow_all = True
c.ConfigurableHTTPProxy.command = ["configurable-http-proxy"]
# As in the example: an admin (here only to read /hub/metrics).
c.Authenticator.admin_users = {"admin"}
