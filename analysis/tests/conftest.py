import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "analysis"))


def airtp_binary():
    """The built airtp, if any (AIRTP_BIN overrides)."""
    p = os.environ.get("AIRTP_BIN", os.path.join(ROOT, "build", "airtp"))
    return p if os.access(p, os.X_OK) else None
