"""Started by Python in every subprocess of a shifted test run (TEST_NOW), via PYTHONPATH.

localstripe, moto_server, rq workers and CLI runs started by the tests then share the test
process's clock, as the real services share the real one (webhook signatures carry timestamps).
"""

import os

if os.environ.get("TEST_NOW"):
    from datetime import datetime

    import time_machine

    time_machine.travel(datetime.fromisoformat(os.environ["TEST_NOW"]), tick=True).start()
