"""Child processes of the Train tab: `assetgan train` itself (Stop = Ctrl-C, which checkpoints) and the one-shot
device probe. Polled, never waited on, so the UI thread never blocks; no Qt, and torch only in the children."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import assetgan

INTERRUPTED = 130  # `assetgan train`'s exit code after a clean stop (checkpoint saved)
DEVICE_PROBE = ("import torch; from assetgan.train.device import resolve_device; d = resolve_device('auto'); "
                "print(f'GPU ({torch.cuda.get_device_name(d)})' if d.type == 'cuda' else 'CPU')")


def child_env() -> dict[str, str]:
    """This environment, with the folder holding the assetgan package first on PYTHONPATH (a checkout works too)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    root = str(Path(assetgan.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([root, *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    return env


def assetgan_command(args: list[str]) -> list[str]:
    """`assetgan ARGS` run by this Python."""
    return [sys.executable, "-m", "assetgan.cli.main", *args]


class TrainProcess:
    """One `assetgan train` run in a child process; stdout and stderr go to a temporary file read on demand."""

    def __init__(self, args: list[str]) -> None:
        self.args = list(args)
        self.stopping = False
        fd, name = tempfile.mkstemp(prefix="assetgan-train-", suffix=".log")
        self._log = Path(name)
        with os.fdopen(fd, "wb") as fh:
            flags = subprocess.CREATE_NEW_PROCESS_GROUP if sys.platform == "win32" else 0
            self._proc = subprocess.Popen(assetgan_command(self.args), stdin=subprocess.DEVNULL, stdout=fh,
                                          stderr=subprocess.STDOUT, env=child_env(), creationflags=flags)

    def poll(self) -> int | None:
        """The exit code once the process ended, else None."""
        return self._proc.poll()

    @property
    def running(self) -> bool:
        return self._proc.poll() is None

    def stop(self) -> None:
        """Ask for a clean stop, as Ctrl-C does: the trainer finishes its step and saves a checkpoint."""
        if not self.running:
            return
        self.stopping = True
        if sys.platform == "win32":
            self._proc.send_signal(signal.CTRL_BREAK_EVENT)
        else:
            self._proc.send_signal(signal.SIGINT)

    def kill(self) -> None:
        """End the process now (the last periodic checkpoint is what remains)."""
        if self.running:
            self._proc.kill()
        self._proc.wait()

    def output(self) -> str:
        try:
            return self._log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def error_line(self) -> str:
        """Why the run failed, in one line: its `error:` line, else the last line (a traceback's exception)."""
        return last_error(self.output(), self.poll())

    def close(self) -> None:
        """Forget the output file (the process must have ended)."""
        self._log.unlink(missing_ok=True)


def last_error(output: str, code: int | None) -> str:
    """The line of `output` that says why a process exiting with `code` failed."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    errors = [ln.removeprefix("error: ") for ln in lines if ln.startswith("error: ")]
    if errors:
        return errors[-1]
    if code is not None and code < 0:
        return f"training was ended by signal {-code}"
    if lines:
        return lines[-1][:300]
    return f"training stopped with exit code {code}"


class DeviceProbe:
    """Asks a child Python where `assetgan train --device auto` would train: "CPU" or "GPU (name)"."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen([sys.executable, "-c", DEVICE_PROBE], stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=child_env(),
                                      text=True)

    def result(self) -> str | None:
        """None while it runs; then the device, or "unknown" when the probe failed."""
        if self._proc.poll() is None:
            return None
        out = (self._proc.communicate()[0] or "").strip()
        return out.splitlines()[-1] if self._proc.returncode == 0 and out else "unknown"

    def kill(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
