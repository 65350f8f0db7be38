"""One logging set-up for every script: progress to the rule's log file and to stderr."""

import logging
import sys
from pathlib import Path


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
    logger = logging.getLogger(name)
    sys.excepthook = _log_uncaught(logger)
    return logger


def _log_uncaught(logger: logging.Logger):
    """An excepthook that writes a failing script's error to its log, not only to stderr.

    Errors meant for the user (bad data, unsatisfiable requests) are logged as their message
    alone; anything else with its traceback, since it is a bug.
    """
    from miarep.errors import DataError, RequestError

    def hook(kind, error, trace):
        if isinstance(error, DataError | RequestError):
            logger.error("%s", error)
        else:
            logger.error("unexpected error", exc_info=(kind, error, trace))

    return hook
