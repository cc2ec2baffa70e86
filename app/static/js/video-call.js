/* The session page's browser-to-browser call (video/p2p.html): plain RTCPeerConnection with the
 * "perfect negotiation" pattern. Signals go out by POST /api/video/<id>/signal (in order, one at a
 * time) and come in as `video.signal` events on /api/stream. Each tab has a random page id: a
 * `hello` from a new tab of the other person starts a fresh connection; signals of older tabs are
 * dropped. The client is the polite peer. Attendance: `join` once the page starts, a `beat` every
 * config.heartbeatSeconds with the connection state and the media bytes sent and received since the
 * last beat (from getStats), and `leave` when the tab closes. */
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
  var page = Math.random().toString(36).slice(2) + Date.now().toString(36);
  var pc = null, localStream = null, peerPage = null, source = null, closed = false;
  var makingOffer = false, ignoreOffer = false, settingRemoteAnswer = false;
  var outbox = Promise.resolve(), inbox = Promise.resolve();
  var STATES = {
    "new": "Waiting for " + other + " to join…",
    connecting: "Connecting to " + other + "…",
    connected: "Connected with " + other + ".",
    disconnected: "The connection dropped; trying to reconnect…",
    failed: "The connection failed. Reload the page to try again.",
    closed: "The call has ended."
  };

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
      if (response.ok || response.status !== 403) return;
      return response.json().then(function (data) {
        refuse((data.error && data.error.message) || "The session is not open.");
      });
    });
  }

  function refuse(message) {
    closed = true;
    if (source) source.close();
    if (pc) pc.close();
    show("closed", message);
  }

  function newPeer() {
    if (pc) pc.close();
    makingOffer = false; ignoreOffer = false; settingRemoteAnswer = false;
    var peer = new RTCPeerConnection({ iceServers: config.iceServers });
    pc = peer;
    if (localStream) {
      localStream.getTracks().forEach(function (track) { peer.addTrack(track, localStream); });
    } else {
      peer.addTransceiver("audio", { direction: "recvonly" });
      peer.addTransceiver("video", { direction: "recvonly" });
    }
    peer.ontrack = function (event) {
      if (remoteVideo.srcObject !== event.streams[0]) remoteVideo.srcObject = event.streams[0];
    };
    peer.onicecandidate = function (event) {
      if (event.candidate && peer === pc) send("candidate", { candidate: event.candidate.toJSON() });
    };
    peer.onnegotiationneeded = function () {
      makingOffer = true;
      peer.setLocalDescription().then(function () {
        if (peer === pc) send("description", { description: peer.localDescription.toJSON() });
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
    var peer = pc;
    return peer.setRemoteDescription(description).then(function () {
      settingRemoteAnswer = false;
      if (description.type !== "offer") return;
      return peer.setLocalDescription().then(function () {
        send("description", { description: peer.localDescription.toJSON() });
      });
    });
  }

  function onSignal(signal) {
    if (closed) return Promise.resolve();
    if (signal.kind === "hello") {
      peerPage = signal.page;
      newPeer();
      send("welcome");
      return Promise.resolve();
    }
    if (signal.kind === "bye") {
      if (signal.page === peerPage && pc) { pc.close(); pc = null; peerPage = null; show("new", other + " left. Waiting for them to come back…"); }
      return Promise.resolve();
    }
    if (signal.page !== peerPage) {
      if (signal.kind === "candidate") return Promise.resolve();  // from an earlier tab
      peerPage = signal.page;  // a tab whose hello came before this page started listening
      newPeer();
    } else if (!pc) {
      newPeer();
    }
    if (signal.kind === "description") return onDescription(signal.description);
    if (signal.kind === "candidate") {
      return pc.addIceCandidate(signal.candidate).catch(function (err) {
        if (!ignoreOffer) console.warn("ICE candidate refused", err);
      });
    }
    return Promise.resolve();
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
