/* The call's device pickers, screen share and connection-quality line (video/p2p.html), on top of
 * video-call.js's window.coachConnectVideo. Pickers list the cameras and microphones the browser
 * reports (names appear once access is granted) and swap the live track without renegotiating.
 * Screen share replaces the outgoing camera track until sharing stops (the button or the browser's
 * own "Stop sharing"). Quality: every 2 s from getStats — round-trip time and the share of packets
 * lost on the active candidate pair and the inbound video: good, fair or poor. */
(function () {
  "use strict";
  var root = document.getElementById("video-call");
  if (!root || !window.coachConnectVideo) return;
  var call = window.coachConnectVideo;
  var cameraSelect = document.getElementById("video-camera-select");
  var micSelect = document.getElementById("video-microphone-select");
  var shareButton = document.getElementById("video-share");
  var quality = document.getElementById("video-quality");
  var camera = null;  // the camera track put aside while the screen is shared

  function fill(select, devices, current) {
    select.textContent = "";
    devices.forEach(function (device, i) {
      var option = document.createElement("option");
      option.value = device.deviceId;
      option.textContent = device.label || (device.kind === "videoinput" ? "Camera " : "Microphone ") + (i + 1);
      option.selected = device.deviceId === current;
      select.appendChild(option);
    });
    if (!devices.length) select.appendChild(new Option(select === cameraSelect ? "No camera found" : "No microphone found"));
    select.disabled = !devices.length || !call.stream();
  }

  function currentId(kind) {
    var stream = call.stream();
    var track = stream && stream.getTracks().filter(function (t) { return t.kind === kind; })[0];
    return track && track.getSettings ? track.getSettings().deviceId : null;
  }

  function listDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return Promise.resolve();
    return navigator.mediaDevices.enumerateDevices().then(function (devices) {
      fill(cameraSelect, devices.filter(function (d) { return d.kind === "videoinput"; }), currentId("video"));
      fill(micSelect, devices.filter(function (d) { return d.kind === "audioinput"; }), currentId("audio"));
    });
  }

  function choose(select, kind) {
    select.addEventListener("change", function () {
      var constraints = {};
      constraints[kind] = { deviceId: { exact: select.value } };
      navigator.mediaDevices.getUserMedia(constraints).then(function (stream) {
        var track = stream.getTracks()[0];
        if (kind === "video" && camera) { camera.stop(); camera = track; return; }  // used when sharing stops
        return call.replaceTrack(kind, track);
      }).catch(function (err) { console.warn("could not switch " + kind, err); listDevices(); });
    });
  }

  function stopSharing() {
    if (!camera) return Promise.resolve();
    var back = camera;
    camera = null;
    shareButton.setAttribute("aria-pressed", "false");
    shareButton.textContent = "Share screen";
    return call.replaceTrack("video", back);
  }

  shareButton.addEventListener("click", function () {
    if (camera) { stopSharing(); return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) return;
    navigator.mediaDevices.getDisplayMedia({ video: true }).then(function (stream) {
      var screen = stream.getVideoTracks()[0];
      screen.addEventListener("ended", stopSharing);  // the browser's own "Stop sharing"
      return call.replaceTrack("video", screen, true).then(function (old) {
        camera = old;
        shareButton.setAttribute("aria-pressed", "true");
        shareButton.textContent = "Stop sharing";
      });
    }).catch(function (err) { console.warn("screen not shared", err); });
  });

  function grade(rtt, lost) {
    if (rtt === null) return ["unknown", "measuring…"];
    var ms = Math.round(rtt * 1000);
    var text = ms + " ms round trip, " + Math.round(lost * 100) + " % packets lost";
    if (rtt > 0.4 || lost > 0.1) return ["poor", "poor (" + text + ")"];
    if (rtt > 0.15 || lost > 0.03) return ["fair", "fair (" + text + ")"];
    return ["good", "good (" + text + ")"];
  }

  function measure() {
    var pc = call.peer();
    if (!pc || pc.connectionState !== "connected") {
      quality.dataset.quality = "unknown";
      quality.textContent = "Connection quality: not connected";
      return;
    }
    pc.getStats().then(function (report) {
      var rtt = null, received = 0, lost = 0;
      report.forEach(function (s) {
        if (s.type === "candidate-pair" && s.nominated && s.currentRoundTripTime !== undefined) rtt = s.currentRoundTripTime;
        if (s.type === "inbound-rtp" && s.kind === "video") { received += s.packetsReceived || 0; lost += s.packetsLost || 0; }
      });
      var verdict = grade(rtt, received + lost > 0 ? lost / (received + lost) : 0);
      quality.dataset.quality = verdict[0];
      quality.textContent = "Connection quality: " + verdict[1];
    });
  }

  choose(cameraSelect, "video");
  choose(micSelect, "audio");
  if (navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
    navigator.mediaDevices.addEventListener("devicechange", listDevices);
  }
  var tries = 0;
  var started = window.setInterval(function () {  // once the camera started (or after 6 s without one)
    tries += 1;
    if (call.stream() || tries > 20) { window.clearInterval(started); listDevices(); }
  }, 300);
  if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) shareButton.disabled = true;
  window.setInterval(measure, 2000);
})();
