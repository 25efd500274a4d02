"""xl-appraisal: a county trade union's yearly target-management assessment, attendance and payouts."""

__version__ = "0.1.0"
