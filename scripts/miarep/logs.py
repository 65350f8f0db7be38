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
    return logging.getLogger(name)
