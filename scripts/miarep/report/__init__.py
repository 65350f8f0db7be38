"""Layer 8, report: figures and tables, views of the result tables. Imports measures, and train
only through its torch-free ``config``."""
