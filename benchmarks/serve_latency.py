"""Edit-to-visible under `mkdocs serve`, against plain MkDocs serve.

    python benchmarks/serve_latency.py [--repeat 5]

Two servers of two copies of the project (with its snippet cache): one with
execnotes, one with the runner off (`EXECNOTES_ENABLED=false`, plain MkDocs
with the same pages). The edits alternate between them, one at a time:

- a prose edit of a Chinese page and of an English page: a new sentence;
- a snippet edit: a comment line inside a function the conv page shows
  (its blocks run again; nothing else imports the module).

For each edit: the time from the save to the served page containing the
edit (polled every 20 ms), and to the end of the whole rebuild (the line
`serve` logs when it is done). Medians and every sample are printed;
nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What `serve` logs when its first build is done, and then each rebuild.
_BUILT = re.compile(r"Serving on http|Reloading browsers")


@dataclass
class Server:
    """`mkdocs serve` of one copy of the project, its log read live."""

    folder: Path
    enabled: bool
    port: int = 0
    builds: list[float] = field(default_factory=list)  # their end times
    log: list[str] = field(default_factory=list)
    process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
        env.update(
            NO_MKDOCS_2_WARNING="1",
            EXECNOTES_ENABLED=str(self.enabled).lower(),
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mkdocs",
                "serve",
                "-a",
                f"127.0.0.1:{self.port}",
            ],
            cwd=self.folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        self.quiet(after=0, timeout=900)

    def _read(self) -> None:
        assert self.process is not None
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line.rstrip())
            if _BUILT.search(line):
                self.builds.append(time.perf_counter())

    def quiet(self, after: int, timeout: float = 300) -> float:
        """Wait until a build beyond the first `after` is done and no other
        starts within 1.5 s; the end time of the last one."""
        deadline = time.monotonic() + timeout
        while len(self.builds) <= after:
            if time.monotonic() > deadline:
                tail = "\n".join(self.log[-20:])
                raise SystemExit(f"serve never finished a build:\n{tail}")
            time.sleep(0.05)
        while True:
            count = len(self.builds)
            time.sleep(1.5)
            if len(self.builds) == count:
                return self.builds[-1]

    def get(self, path: str) -> str:
        url = f"http://127.0.0.1:{self.port}/{path}"
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return str(response.read().decode("utf-8"))
        except (urllib.error.URLError, OSError):
            return ""

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)


def measure(
    server: Server, path: Path, edit: str, page: str
) -> tuple[float, float]:
    """Apply `edit` (a marker line after the first paragraph or the first
    `def` line) to `path`; seconds until `page` shows it, and until the
    rebuild is done."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        head, rest = text.split("\ndef conv2d", 1)
        body = rest.split("\n", 1)
        changed = f"{head}\ndef conv2d{body[0]}\n    # {edit}\n{body[1]}"
    else:
        head, rest = text.split("\n\n", 1)
        changed = f"{head}\n\n{edit}\n\n{rest}"
    builds = len(server.builds)
    started = time.perf_counter()
    path.write_text(changed, encoding="utf-8")
    while edit not in server.get(page):
        if time.perf_counter() - started > 600:
            raise SystemExit(f"{page} never showed the edit")
        time.sleep(0.02)
    visible = time.perf_counter() - started
    done = server.quiet(after=builds) - started
    return visible, done


def copy_project(target: Path) -> None:
    """The project as a clone has it, with its snippet cache."""
    ignored = shutil.ignore_patterns(
        ".venv", ".reader-venv", "site", ".git", "node_modules", "__pycache__"
    )
    shutil.copytree(ROOT, target, ignore=ignored)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    edits = {
        "prose, Chinese page": ("docs/losses.md", "losses/"),
        "prose, English page": ("docs/losses.en.md", "en/losses/"),
        "snippet (conv.py)": ("snippets/conv.py", "conv-channels/"),
    }
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        servers = {}
        for name, enabled in (("execnotes", True), ("plain", False)):
            folder = Path(tmp) / name
            copy_project(folder)
            servers[name] = Server(folder, enabled)
        try:
            for server in servers.values():
                server.start()
            samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
            for n in range(args.repeat):
                for what, (file, page) in edits.items():
                    for name, server in servers.items():
                        marker = f"edit{n}x{abs(hash(what)) % 10000}{name}"
                        result = measure(
                            server, server.folder / file, marker, page
                        )
                        samples.setdefault((what, name), []).append(result)
            runs = _run_seconds(servers["execnotes"].folder, "snippets.conv.")
        finally:
            for server in servers.values():
                server.stop()
    print(f"# edit-to-visible under mkdocs serve ({os.cpu_count()} cores)")
    print(
        "| edit | server | visible: median (samples) | rebuild done: median |"
    )
    print("|---|---|---|---|")
    for (what, name), results in samples.items():
        visible = [v for v, _ in results]
        done = [d for _, d in results]
        shown = ", ".join(f"{v:.2f}" for v in visible)
        print(
            f"| {what} | {name} | {statistics.median(visible):.2f} s ({shown}) "
            f"| {statistics.median(done):.2f} s |"
        )
    for what in edits:
        ours = statistics.median(v for v, _ in samples[(what, "execnotes")])
        plain = statistics.median(v for v, _ in samples[(what, "plain")])
        print(f"{what}: execnotes / plain visible = {ours / plain:.2f}")
    ours = statistics.median(
        v for v, _ in samples[("snippet (conv.py)", "execnotes")]
    )
    print(
        f"snippet edit: its {runs[0]} runs take {runs[1]:.2f} s in all "
        f"(recorded); visible minus that: {ours - runs[1]:.2f} s"
    )


def _run_seconds(folder: Path, prefix: str) -> tuple[int, float]:
    """How many snippets named `prefix`... have a recorded run time, and
    the sum of those times (what a snippet edit of that module reruns)."""
    recorded = json.loads(
        (folder / ".execnotes-cache" / "durations.json").read_text()
    )
    times = [t for name, t in recorded.items() if name.startswith(prefix)]
    return len(times), sum(times)


if __name__ == "__main__":
    main()
