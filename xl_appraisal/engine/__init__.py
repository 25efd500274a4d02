"""The pure engine: plain data and a policy in, results and issues out. No Excel imports here."""

from xl_appraisal.engine.run import compute

__all__ = ["compute"]
