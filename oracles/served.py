"""`pactsim serve` as the oracles that talk to it start it: on a free loopback port with a store in
a folder of the caller's, waited for until it answers, stopped whatever happens. Also the
failure list the checks share (`check` records a failure and goes on, so one run reports all).
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = os.environ.get("PACTSIM_BIN", str(REPO / "target" / "release" / "pactsim"))

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print(f"FAIL: {message}", file=sys.stderr)
    return condition


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`pactsim serve` on a free loopback port with a store in a temporary folder."""

    def __init__(self, folder, token=None, max_paths=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = token
        args = [BIN, "serve", "--addr", f"127.0.0.1:{self.port}", "--store", str(Path(folder) / "runs.sqlite")]
        if max_paths is not None:
            args += ["--max-paths", str(max_paths)]
        if token:
            args += ["--token", token]
        self.log = open(Path(folder) / f"serve-{self.port}.log", "w+")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"pactsim serve exited with {self.process.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"pactsim serve did not answer within 60 s:\n{self.output()}")
            time.sleep(0.2)

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-4000:]

    def get(self, path):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        with urllib.request.urlopen(urllib.request.Request(self.url + path, headers=headers), timeout=30) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read()

    def json(self, path):
        return json.loads(self.get(path)[2])

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
