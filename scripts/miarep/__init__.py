"""miarep: the logic behind the membership-inference replication workflow.

Every module takes paths and plain values and never sees Snakemake's ``snakemake`` object, so that
all of it is unit-tested without the workflow. The thin entry points in ``scripts/*.py`` translate a
rule's inputs, params and outputs into calls of this package.
"""

__version__ = "0.1.0"
