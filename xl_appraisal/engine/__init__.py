"""The pure engine: plain data and a policy in, results and issues out. No Excel imports here.

Its entry point is `xl_appraisal.engine.run.compute`. This package file imports nothing, so that the
policy module can use `engine.issues` and `engine.values` (leaf modules) without a cycle.
"""
