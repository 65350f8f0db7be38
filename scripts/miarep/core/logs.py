"""One logging set-up for every script: progress to the rule's log file and to stderr.

A log should hold what the person running the workflow needs: the package's progress and
errors. Third-party chatter (matplotlib's font subsetting alone wrote 110 of a figure log's 111
lines) is cut to warnings, and an interruption is logged as one line, not as a crash.
"""

import contextlib
import logging
import signal
import sys
from pathlib import Path

#: Libraries whose INFO/DEBUG records say nothing a user can act on.
QUIET_LOGGERS = ("fontTools", "matplotlib", "PIL", "numba", "urllib3", "asyncio")


class Interrupted(KeyboardInterrupt):
    """The job was asked to stop (SIGTERM from Snakemake or a cluster, or Ctrl-C)."""


def setup_logging(log_path: str | Path | None, name: str = "miarep") -> logging.Logger:
    """Send INFO and above to ``log_path`` (if given) and to stderr; return the package logger."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w"))
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logger = logging.getLogger(name)
    sys.excepthook = _log_uncaught(logger)
    _stop_cleanly_on_sigterm()
    return logger


def _stop_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into an exception, so atomic writes clean up and the log says why."""

    def handler(signum, frame):
        raise Interrupted(f"signal {signal.Signals(signum).name}")

    with contextlib.suppress(ValueError):  # not the main thread (e.g. a test runner's worker)
        signal.signal(signal.SIGTERM, handler)


def _log_uncaught(logger: logging.Logger):
    """An excepthook that writes a failing script's error to its log, not only to stderr.

    Errors meant for the user (bad data, unsatisfiable requests) are logged as their message
    alone, and so is an interruption; anything else with its traceback, since it is a bug.
    """
    from miarep.core.errors import ConfigError, DataError, RequestError

    def hook(kind, error, trace):
        if isinstance(error, ConfigError | DataError | RequestError):
            logger.error("%s", error)
        elif isinstance(error, KeyboardInterrupt):
            reason = str(error) or "Ctrl-C"
            logger.error(
                "interrupted (%s): no output of this job was written. Rerun the same command "
                "to resume; if Snakemake itself was killed, run 'snakemake --unlock' first.",
                reason,
            )
        else:
            logger.error("unexpected error", exc_info=(kind, error, trace))

    return hook
