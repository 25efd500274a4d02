"""The pure engine: plain data and a policy in, results and issues out. No Excel imports here."""


def __getattr__(name: str):
    # Lazy, so that xl_appraisal.policy can use engine.issues without a circular import.
    if name == "compute":
        from xl_appraisal.engine.run import compute

        return compute
    raise AttributeError(name)


__all__ = ["compute"]
