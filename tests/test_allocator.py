"""The allocator settings stop a step-like allocation pattern from page-faulting every time."""

import platform
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"

STEPS = """
import resource, sys
import numpy as np
sys.path.insert(0, {scripts!r})
from miarep.train.allocator import keep_freed_memory
applied = keep_freed_memory() if {apply} else False
def step():  # buffers of a K = 100, 1x50 training step: 2 MB, 640 KB, 320 KB, 2.4 MB
    hidden = np.ones((100, 100, 50), np.float32)
    inputs = np.ones((100, 100, 16), np.float32)
    del hidden
    grads = np.ones((100, 16, 50), np.float32)
    more = np.ones((100, 100, 60), np.float32)
    return inputs, grads, more
for _ in range(5):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(50):
    step()
print(applied, (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 50)
"""


def faults_per_step(apply: bool) -> tuple[bool, float]:
    code = STEPS.format(scripts=str(SCRIPTS), apply=apply)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    applied, faults = out.stdout.split()
    return applied == "True", float(faults)


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_kept_memory_is_reused_without_page_faults():
    _, without = faults_per_step(apply=False)
    applied, with_settings = faults_per_step(apply=True)
    assert applied
    assert without > 100  # glibc hands these blocks back to the OS and faults them in again
    assert with_settings < 5
