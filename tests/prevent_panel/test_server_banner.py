"""gunicorn, as `make run`, docker-compose and the Dockerfile start it, does not name itself in the Server
header (issue 14 finding 12b). Starts a real gunicorn on a free port with the shared config file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerBannerTestCase(SimpleTestCase):
    def server_header(self) -> str:
        port = free_port()
        env = {**os.environ, "DEBUG": "true", "SECRET_KEY": "", "AUDIT_SEAL_KEY": "", "DATABASE_URL": ""}
        command = [sys.executable, "-m", "gunicorn", "prevent_panel.wsgi", "--config", "gunicorn.conf.py"]
        server = subprocess.Popen(  # noqa: S603 - fixed arguments
            [*command, "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                        return str(response.headers.get("Server", ""))
                except urllib.error.HTTPError as error:
                    return str(error.headers.get("Server", ""))
                except OSError:
                    time.sleep(0.1)
            self.fail("gunicorn did not answer")
        finally:
            server.terminate()
            server.wait(timeout=10)

    def test_the_server_header_does_not_name_gunicorn(self) -> None:
        header = self.server_header()
        self.assertNotIn("gunicorn", header.lower())
        self.assertEqual(header, "web")

    def test_every_way_of_starting_the_server_uses_the_config(self) -> None:
        for name in ("Makefile", "docker-compose.yml", "Dockerfile"):
            text = (ROOT / name).read_text()
            lines = text.splitlines()
            starts = [line for line in lines if "gunicorn prevent_panel.wsgi" in line or '"gunicorn"' in line]
            self.assertTrue(starts, name)
            for line in starts:
                self.assertIn("gunicorn.conf.py", line, name)
