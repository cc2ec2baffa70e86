/* The session page's browser-to-browser call (video/p2p.html): plain RTCPeerConnection. Signals go
 * out by POST /api/video/<id>/signal (in order, one at a time) and come in as `video.signal` events on
 * /api/stream. Each tab has a random page id: a `hello` from a new tab of the other person is answered
 * with a `welcome`, and either starts a fresh connection; signals of other tabs are dropped.
 * One side opens each connection: the coach (the impolite peer) makes the offer, under a fresh random
 * connection id that every description and candidate of that connection carries; the client (the
 * polite peer) makes its connection when that offer arrives and only answers. So a reload never has
 * both sides offering at once: Chromium's implicit rollback of the client's own pending offer left the
 * connection without ICE candidates, stuck "connecting" (the 20-reconnect walk, issue 14). Signals of
 * a connection already replaced are dropped; candidates that come before their description wait for
 * it. Later renegotiation follows the "perfect negotiation" pattern, the client yielding.
 * Attendance: `join` once the page starts, a `beat` every config.heartbeatSeconds with the
 * connection state and the media bytes sent and received since the last beat (from getStats), and
 * `leave` when the tab closes. */
(function () {
  "use strict";
  var root = document.getElementById("video-call");
  if (!root) return;
  var config = JSON.parse(root.dataset.config);
  var other = root.dataset.other;
  var statusBox = document.getElementById("video-status");
  var localVideo = document.getElementById("video-local");
  var remoteVideo = document.getElementById("video-remote");
  var muteButton = document.getElementById("video-mute");
  var cameraButton = document.getElementById("video-camera");
  var page = randomId();
  var pc = null, connection = null, localStream = null, peerPage = null, source = null, closed = false;
  var makingOffer = false, ignoreOffer = false, settingRemoteAnswer = false, early = [];
  var outbox = Promise.resolve(), inbox = Promise.resolve();
  var STATES = {
    "new": "Waiting for " + other + " to join…",
    connecting: "Connecting to " + other + "…",
    connected: "Connected with " + other + ".",
    disconnected: "The connection dropped; trying to reconnect…",
    failed: "The connection failed. Reload the page to try again.",
    closed: "The call has ended."
  };

  function randomId() {
    return Math.random().toString(36).slice(2) + Date.now().toString(36);
  }

  function show(state, text) {
    root.dataset.connectionState = state;
    statusBox.textContent = text || STATES[state] || state;
  }

  function send(kind, fields) {
    var body = Object.assign({ kind: kind, page: page }, fields || {});
    outbox = outbox.then(function () {
      return post(config.signalUrl, body, kind === "bye");
    }).catch(function (err) { console.warn("video signal not sent", err); });
    return outbox;
  }

  function post(url, body, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: keepalive,
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": root.dataset.csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.ok) return;
      if (response.status !== 403) { console.warn("video " + (body.kind || body.event) + " refused", response.status); return; }
      return response.json().then(function (data) {
        refuse((data.error && data.error.message) || "The session is not open.");
      });
    });
  }

  function refuse(message) {
    closed = true;
    if (source) source.close();
    closePeer();
    show("closed", message);
  }

  function closePeer() {
    if (pc) pc.close();
    pc = null; connection = null; early = [];
  }

  // A connection to peerPage: the coach's own (id made here, it offers), or the client's answer to
  // the coach's offer (id from that offer; the offer's m-lines make the transceivers it lacks).
  function newPeer(id, answering) {
    closePeer();
    makingOffer = false; ignoreOffer = false; settingRemoteAnswer = false;
    var peer = new RTCPeerConnection({ iceServers: config.iceServers });
    pc = peer; connection = id;
    if (localStream) {
      localStream.getTracks().forEach(function (track) { peer.addTrack(track, localStream); });
    } else if (!answering) {
      peer.addTransceiver("audio", { direction: "recvonly" });
      peer.addTransceiver("video", { direction: "recvonly" });
    }
    peer.ontrack = function (event) {
      if (remoteVideo.srcObject !== event.streams[0]) remoteVideo.srcObject = event.streams[0];
    };
    peer.onicecandidate = function (event) {
      if (event.candidate && peer === pc) send("candidate", { connection: id, candidate: event.candidate.toJSON() });
    };
    peer.onnegotiationneeded = function () {
      if (config.polite && !peer.currentRemoteDescription) return;  // the client never opens a connection
      makingOffer = true;
      peer.setLocalDescription().then(function () {
        if (peer === pc) send("description", { connection: id, description: peer.localDescription.toJSON() });
      }).catch(function (err) { console.warn("offer failed", err); })
        .finally(function () { makingOffer = false; });
    };
    peer.onconnectionstatechange = function () {
      if (peer === pc) show(peer.connectionState);
    };
    show("connecting");
    return peer;
  }

  function onDescription(description) {
    var readyForOffer = !makingOffer && (pc.signalingState === "stable" || settingRemoteAnswer);
    var collision = description.type === "offer" && !readyForOffer;
    ignoreOffer = !config.polite && collision;
    if (ignoreOffer) return Promise.resolve();
    settingRemoteAnswer = description.type === "answer";
    var peer = pc, id = connection;
    return peer.setRemoteDescription(description).then(function () {
      settingRemoteAnswer = false;
      var waiting = early;
      early = [];
      waiting.forEach(function (candidate) { addCandidate(peer, candidate); });
      if (description.type !== "offer") return;
      return peer.setLocalDescription().then(function () {
        if (peer === pc) send("description", { connection: id, description: peer.localDescription.toJSON() });
      });
    });
  }

  function addCandidate(peer, candidate) {
    if (!peer.remoteDescription) {
      if (!ignoreOffer) early.push(candidate);  // its description is still being applied
      return Promise.resolve();
    }
    return peer.addIceCandidate(candidate).catch(function (err) {
      if (!ignoreOffer) console.warn("ICE candidate refused", err);
    });
  }

  // hello (a new tab of the other person) or welcome (their tab answering ours): a fresh start.
  function onGreeting(signal) {
    if (signal.kind === "welcome" && signal.page === peerPage && pc) return;  // hellos crossed: under way
    peerPage = signal.page;
    closePeer();
    if (signal.kind === "hello") send("welcome");
    if (config.polite) show("connecting");  // the coach's offer opens the connection
    else newPeer(randomId(), false);
  }

  function onSignal(signal) {
    if (closed) return Promise.resolve();
    if (signal.kind === "hello" || signal.kind === "welcome") return Promise.resolve(onGreeting(signal));
    if (signal.page !== peerPage) return Promise.resolve();  // an earlier tab, or one that never greeted us
    if (signal.kind === "bye") {
      closePeer(); peerPage = null; show("new", other + " left. Waiting for them to come back…");
      return Promise.resolve();
    }
    var current = pc && (!signal.connection || !connection || signal.connection === connection);
    if (signal.kind === "description") {
      if (!current) {
        if (!config.polite || signal.description.type !== "offer") return Promise.resolve();  // replaced
        newPeer(signal.connection || null, true);  // the coach opened a connection
      }
      return onDescription(signal.description);
    }
    if (signal.kind === "candidate" && current) return addCandidate(pc, signal.candidate);
    return Promise.resolve();  // a candidate of a connection already replaced
  }

  function listen() {
    source = new EventSource(config.streamUrl + "?last_event_id=" + encodeURIComponent(config.cursor));
    source.addEventListener("video.signal", function (event) {
      var signal = JSON.parse(event.data);
      if (signal.booking_id !== config.bookingId) return;
      inbox = inbox.then(function () { return onSignal(signal); }).catch(function (err) {
        console.warn("video signal failed", err);
      });
    });
  }

  function toggle(button, kind, onText, offText) {
    button.addEventListener("click", function () {
      if (!localStream) return;
      var off = button.getAttribute("aria-pressed") !== "true";
      localStream.getTracks().forEach(function (track) { if (track.kind === kind) track.enabled = !off; });
      button.setAttribute("aria-pressed", off ? "true" : "false");
      button.textContent = off ? offText : onText;
    });
  }

  toggle(muteButton, "audio", "Mute", "Unmute");
  toggle(cameraButton, "video", "Camera off", "Camera on");
  function report(event, fields) {
    return post(config.attendanceUrl, Object.assign({ event: event }, fields || {}), event === "leave")
      .catch(function (err) { console.warn("attendance not sent", err); });
  }

  var counted = { peer: null, sent: 0, received: 0 };
  function beat() {
    if (closed) return;
    var peer = pc;
    var state = peer ? peer.connectionState : "new";
    var stats = peer && state !== "closed" ? peer.getStats() : Promise.resolve(null);
    stats.then(function (result) {
      var sent = 0, received = 0;
      if (result) {
        result.forEach(function (s) {
          if (s.type === "outbound-rtp") sent += s.bytesSent || 0;
          if (s.type === "inbound-rtp") received += s.bytesReceived || 0;
        });
      }
      if (counted.peer !== peer) counted = { peer: peer, sent: 0, received: 0 };  // a new connection counts from 0
      var fields = {
        connection_state: state,
        bytes_sent: Math.max(0, sent - counted.sent),
        bytes_received: Math.max(0, received - counted.received)
      };
      counted.sent = sent; counted.received = received;
      return report("beat", fields);
    }).catch(function (err) { console.warn("attendance beat failed", err); });
  }

  window.addEventListener("pagehide", function () {
    if (!closed) { send("bye"); report("leave"); }
  });
  window.coachConnectVideo = {
    peer: function () { return pc; },
    beat: beat,
    stream: function () { return localStream; },
    // Swap the outgoing camera or microphone track (device pickers, screen share): the stream the
    // mute and camera buttons act on and the sender of the live connection both get the new track.
    replaceTrack: function (kind, track, keepOld) {
      var old = localStream && localStream.getTracks().filter(function (t) { return t.kind === kind; })[0];
      if (old) { track.enabled = old.enabled; localStream.removeTrack(old); }
      if (localStream) localStream.addTrack(track);
      var sender = pc && pc.getSenders().filter(function (s) { return s.track && s.track.kind === kind; })[0];
      var replaced = sender ? sender.replaceTrack(track) : Promise.resolve();
      return replaced.then(function () { if (old && old !== track && !keepOld) old.stop(); return old; });
    }
  };

  var media = navigator.mediaDevices && navigator.mediaDevices.getUserMedia
    ? navigator.mediaDevices.getUserMedia({ audio: true, video: true })
    : Promise.reject(new Error("no media devices"));
  media.then(function (stream) {
    localStream = stream;
    localVideo.srcObject = stream;
  }).catch(function (err) {
    console.warn("no camera or microphone", err);
    muteButton.disabled = true;
    cameraButton.disabled = true;
  }).then(function () {
    listen();
    show("new");
    send("hello");
    report("join");
    window.setInterval(beat, config.heartbeatSeconds * 1000);
  });
})();
