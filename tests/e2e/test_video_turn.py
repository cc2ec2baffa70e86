"""Short-lived TURN credentials work on a real coturn (`use-auth-secret`), and only while they should.

The session page's ICE servers are read as the browser gets them; Chromium then asks the TURN server
for a relay with them (iceTransportPolicy "relay": a relay candidate appears only when coturn
accepted the credentials). A tampered password and credentials whose window has closed get none.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import time_machine

from app.video.providers import P2PProvider
from tests.services import free_port
from tests.video.helpers import paid_booking, signed_in

pytestmark = pytest.mark.e2e

SECRET = "turn-test-secret"
RELAY_CANDIDATES = """async (server) => {
  const pc = new RTCPeerConnection({iceServers: [server], iceTransportPolicy: "relay"});
  const relays = [];
  const done = new Promise((resolve) => {
    pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && resolve();
    setTimeout(resolve, 8000);
  });
  pc.onicecandidate = (e) => e.candidate && e.candidate.type === "relay" && relays.push(e.candidate.address);
  pc.createDataChannel("probe");
  await pc.setLocalDescription(await pc.createOffer());
  await done;
  pc.close();
  return relays;
}"""


@pytest.fixture(scope="module")
def turn_url(tmp_path_factory):
    """coturn on a free port with a shared secret, as production runs it (`make services` installs it)."""
    binary = shutil.which("turnserver")
    if binary is None:
        pytest.fail("coturn is not installed; run `make services` (apt-get install coturn).", pytrace=False)
    port, work = free_port(), tmp_path_factory.mktemp("coturn")
    args = [binary, "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", f"--listening-port={port}"]
    args += ["--use-auth-secret", f"--static-auth-secret={SECRET}", "--realm=coach.test", "--no-tls", "--no-dtls"]
    args += ["--no-cli", f"--pidfile={work}/turn.pid", f"--userdb={work}/turn.db", f"--log-file={work}/turn.log"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail(f"coturn did not start: {(work / 'turn.log').read_text()[-2000:]}", pytrace=False)
            time.sleep(0.2)
    yield f"turn:127.0.0.1:{port}?transport=udp"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def turn_provider(app, turn_url, monkeypatch):
    monkeypatch.setitem(app.extensions, "video_provider", P2PProvider([], [turn_url], SECRET))
    return app.extensions["video_provider"]


@pytest.fixture
def probe(browser):
    context = browser.new_context()
    page = context.new_page()
    yield lambda server: page.evaluate(RELAY_CANDIDATES, server)
    context.close()


def _page_ice_servers(app, client, booking, user) -> list[dict]:
    signed_in(app, client, user)
    html = client.get(f"/bookings/{booking.id}/session").get_data(as_text=True)
    return json.loads(unescape(re.search(r"data-config='([^']+)'", html).group(1)))["iceServers"]


def _wall_clock() -> datetime:
    """The real time coturn checks against (TEST_NOW moves this process's clock, not date(1)'s)."""
    return datetime.fromtimestamp(int(subprocess.check_output(["date", "+%s"])), UTC)


def test_the_pages_turn_credentials_get_a_relay_and_tampered_or_expired_ones_do_not(
    app, client, turn_provider, turn_url, probe
):
    starts = _wall_clock().replace(second=0, microsecond=0) + timedelta(hours=1)
    booking = paid_booking(starts)
    with time_machine.travel(starts, tick=False):  # inside the join window
        (server,) = _page_ice_servers(app, client, booking, booking.client)
        html = client.get(f"/bookings/{booking.id}/session").get_data(as_text=True)
    assert SECRET not in html
    expires, user_id = server["username"].split(":")
    closes = starts + timedelta(minutes=60 + 15)  # the join window's end
    assert (server["urls"], int(expires), int(user_id)) == ([turn_url], int(closes.timestamp()), booking.client_id)
    assert probe(server) == ["127.0.0.1"]

    tampered = dict(server, credential="A" * len(server["credential"]))
    stale = paid_booking(starts - timedelta(hours=4), client=booking.client)  # its window closed 2 h 45 ago
    expired = turn_provider.ice_servers_for(stale, booking.client)[0]
    assert probe(tampered) == [] and probe(expired) == []
