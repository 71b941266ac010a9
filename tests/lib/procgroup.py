"""Stopping a server started in its own process group
(subprocess.Popen(..., start_new_session=True)): the whole group, so that
a server's own children (moto's reloader, nginx's workers) go with it.

    from procgroup import stop_group   # tests/lib on sys.path
    stop_group(p)                      # SIGTERM, then SIGKILL after timeout
"""

import os
import signal
import subprocess


def stop_group(p, timeout=5.0):
    """SIGTERM to p's group; SIGKILL if p has not ended `timeout` seconds
    later. Returns at once if p has already ended."""
    if p.poll() is not None:
        return
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(timeout)
