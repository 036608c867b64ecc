"""The HTTPS front (compose profile "https"): a valid certificate, HTTP redirected, safe headers.

Caddy signs with its internal CA here (COURSEHUB_TLS=internal), since no public CA can reach
this machine; the test trusts that CA alone, so a certificate for any other name fails.
"""

from __future__ import annotations

import socket
import ssl
import time

import pytest

from tests.support.stack import free_port, run_stack

DOMAIN = "coursehub.test"
CA_IN_CONTAINER = "/data/caddy/pki/authorities/local/root.crt"


@pytest.fixture(scope="module")
def https_stack(docker_client):
    ports = {"COURSEHUB_HTTP_PORT": str(free_port()), "COURSEHUB_HTTPS_PORT": str(free_port())}
    yield from run_stack(
        {},
        profiles=("https",),
        compose_env={
            "COURSEHUB_DOMAIN": DOMAIN,
            "COURSEHUB_TLS": "internal",
            "COURSEHUB_BIND": "127.0.0.1",
            **ports,
        },
    )


def raw_get(
    port: int, path: str, context: ssl.SSLContext | None = None, host: str = DOMAIN
) -> tuple[str, dict]:
    """GET ``path`` from 127.0.0.1:port as if ``host`` resolved there: (status line, headers)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as plain:
        connection = context.wrap_socket(plain, server_hostname=host) if context else plain
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode()
    status, *lines = head.split("\r\n")
    return status, {name.lower(): value.strip() for name, value in (line.split(":", 1) for line in lines)}


def test_https_with_a_valid_certificate_redirects_http_and_sets_safe_headers(
    https_stack, docker_client, tmp_path
):
    proxy = docker_client.containers.get(f"{https_stack.project}-https-1")
    ca_file = tmp_path / "caddy-root.crt"
    for _ in range(60):  # Caddy makes its CA on its first request for a certificate
        exit_code, output = proxy.exec_run(["cat", CA_IN_CONTAINER])
        if exit_code == 0:
            break
        time.sleep(1)
    ca_file.write_bytes(output)
    context = ssl.create_default_context(cafile=str(ca_file))
    https_port = int(https_stack.compose_env["COURSEHUB_HTTPS_PORT"])
    http_port = int(https_stack.compose_env["COURSEHUB_HTTP_PORT"])

    status, headers = raw_get(https_port, "/hub/login", context)
    assert status.split()[1] == "200", status
    assert headers["strict-transport-security"].startswith("max-age=")
    assert headers["x-content-type-options"] == "nosniff"
    assert "server" not in headers

    with pytest.raises(ssl.SSLError):  # no certificate for any other name
        raw_get(https_port, "/hub/login", context, host="other.example")

    status, headers = raw_get(http_port, "/hub/login")
    assert status.split()[1] in {"301", "308"}, status
    assert headers["location"] == f"https://{DOMAIN}/hub/login"


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"COURSEHUB_DOMAIN": ""}, "set COURSEHUB_DOMAIN"),
        ({"COURSEHUB_DOMAIN": "hub example.org"}, "is not a host name"),
        ({"COURSEHUB_DOMAIN": "hub.example.org", "COURSEHUB_TLS": "letsencrypt"}, "use acme"),
    ],
    ids=["no-domain", "bad-domain", "bad-tls"],
)
def test_the_https_front_refuses_bad_settings_and_says_why(https_stack, docker_client, environment, message):
    container = docker_client.containers.run("coursehub/https:0.1.0", environment=environment, detach=True)
    try:
        assert container.wait(timeout=60)["StatusCode"] == 2
        assert message in container.logs().decode()
    finally:
        container.remove(force=True)
