"""Crash points for the recovery tests: `ELSOM_CRASH_POINT=after_provider_answer` makes the process kill itself
(SIGKILL: no cleanup, no finally, like a power cut) when it reaches that point, so that a test can restart the
worker and check that every payment is finished exactly once. Unset, as everywhere outside those tests, a crash
point does nothing."""

import os
import signal

_CRASH_AT = os.environ.get("ELSOM_CRASH_POINT", "")


def crash_point(name: str) -> None:
    if _CRASH_AT and name == _CRASH_AT:
        os.kill(os.getpid(), signal.SIGKILL)
