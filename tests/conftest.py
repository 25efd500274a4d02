"""Test-wide setup. xlwings' remote engine (used to test the live adapter against xlwings' own Book API)
needs a licence key; its licence allows testing with the key `noncommercial`. It must be set before
anything imports xlwings."""

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
