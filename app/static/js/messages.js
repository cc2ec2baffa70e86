// A conversation page, live: new messages appear without a reload, the other side's "Delivered"
// and "Seen" follow the receipts, the composer keeps its draft across reloads (localStorage) and
// a message written offline waits in an outbox until the network is back. Every send carries a
// client_msg_id, so a retry after a lost answer never posts it twice. A chosen file is uploaded
// first (POST /api/messages/attachments); a refused one is explained beside the file field and the
// text stays in the composer.
(function () {
  "use strict";
  var list = document.getElementById("messages");
  if (!list || !window.CoachConnectLive) return;
  var threadId = parseInt(list.getAttribute("data-thread-id"), 10);
  var me = parseInt(list.getAttribute("data-me"), 10);
  var otherName = list.getAttribute("data-other-name");
  var other = {
    read: parseInt(list.getAttribute("data-other-read"), 10) || 0,
    delivered: parseInt(list.getAttribute("data-other-delivered"), 10) || 0
  };
  var receipt = document.getElementById("receipt");
  var form = document.getElementById("composer");
  var box = form ? form.querySelector("textarea") : null;
  var fileInput = form ? form.querySelector('input[type="file"]') : null;
  var DRAFT = "cc-draft:" + threadId;
  var OUTBOX = "cc-outbox:" + threadId;
  var sending = false;

  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value);
    } catch (e) { /* private mode: drafts last as long as the page */ }
  }
  function load(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }
  function outbox() { try { return JSON.parse(load(OUTBOX) || "[]"); } catch (e) { return []; } }
  function saveOutbox(items) { store(OUTBOX, items.length ? JSON.stringify(items) : null); }

  function api(method, path, payload) {
    return fetch(path, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json",
                 "X-CSRFToken": window.CoachConnectLive.csrf() },
      body: payload === undefined ? undefined : JSON.stringify(payload)
    });
  }

  function timeText(iso) {
    try { return new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }); }
    catch (e) { return iso; }
  }

  function item(attrs) {
    var li = document.createElement("li");
    li.className = "message " + (attrs.mine ? "mine" : "theirs");
    var meta = document.createElement("p");
    meta.className = "meta";
    li.appendChild(meta);
    if (attrs.body) {
      var text = document.createElement("p");
      text.className = "body";
      text.textContent = attrs.body;
      li.appendChild(text);
    }
    var empty = list.querySelector("li.empty");
    if (empty) empty.remove();
    list.appendChild(li);
    return li;
  }

  function sizeText(bytes) {
    if (bytes < 1000) return bytes + " Bytes";
    if (bytes < 1000 * 1000) return (bytes / 1000).toFixed(1) + " kB";
    return (bytes / 1000 / 1000).toFixed(1) + " MB";
  }

  function showAttachments(li, files) {
    var old = li.querySelector("ul.attachments");
    if (old) old.remove();
    if (!files || !files.length) return;
    var ul = document.createElement("ul");
    ul.className = "attachments";
    files.forEach(function (a) {
      var row = document.createElement("li");
      if (a.preview_url) {  // an image: its re-encoded preview, never the uploaded bytes
        var img = document.createElement("img");
        img.className = "attachment-preview";
        img.src = a.preview_url;
        img.alt = a.filename;
        img.loading = "lazy";
        row.appendChild(img);
        row.appendChild(document.createElement("br"));
      }
      var link = document.createElement("a");
      link.href = a.url;
      link.setAttribute("download", "");
      link.textContent = a.filename;
      var size = document.createElement("span");
      size.className = "hint";
      size.textContent = " (" + sizeText(a.size) + ")";
      row.appendChild(link);
      row.appendChild(size);
      ul.appendChild(row);
    });
    var after = li.querySelector(".body") || li.querySelector(".meta");
    after.insertAdjacentElement("afterend", ul);
  }

  function fill(li, m) {
    var mine = m.sender_id === me;
    li.setAttribute("data-message-id", m.id);
    li.removeAttribute("data-pending");
    li.querySelector(".meta").textContent = (mine ? "You" : otherName) + " · " + timeText(m.created_at);
    showAttachments(li, m.attachments);
    var old = li.querySelector("p.held");
    if (old) old.remove();
    if (m.held) {
      var hint = document.createElement("p");
      hint.className = "hint held";
      hint.textContent = "Held for review: " + otherName + " sees it once a moderator lets it through.";
      li.appendChild(hint);
    }
  }

  function show(m) {
    if (list.querySelector('[data-message-id="' + m.id + '"]')) return;
    var pending = m.client_msg_id && list.querySelector('[data-client-msg-id="' + m.client_msg_id + '"]');
    var li = pending || item({ mine: m.sender_id === me, body: m.body });
    fill(li, m);
    if (!pending) li.scrollIntoView({ block: "nearest" });
    updateReceipt();
  }

  function latestMine() {
    var mine = list.querySelectorAll("li.mine[data-message-id]");
    return mine.length ? parseInt(mine[mine.length - 1].getAttribute("data-message-id"), 10) : 0;
  }

  function updateReceipt() {
    if (!receipt) return;
    if (list.querySelector("li.mine[data-pending]")) {
      receipt.textContent = navigator.onLine ? "Sending…" : "Offline: your message is sent when you are back online.";
      return;
    }
    var last = latestMine();
    receipt.textContent = !last ? "" : other.read >= last ? "Seen" : other.delivered >= last ? "Delivered" : "Sent";
  }

  var reading = 0;
  function markRead(upTo) {
    if (document.visibilityState !== "visible" || upTo <= reading) return;
    var before = reading;
    reading = upTo;
    api("POST", "/api/messages/threads/" + threadId + "/read", { message_id: upTo })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); })
      .catch(function () { if (reading === upTo) reading = before; });  // retried when back online
  }
  function latestTheirs() {
    var theirs = list.querySelectorAll("li.theirs[data-message-id]");
    return theirs.length ? parseInt(theirs[theirs.length - 1].getAttribute("data-message-id"), 10) : 0;
  }

  document.addEventListener("live:message.new", function (e) {
    var m = e.detail.message;
    if (m.thread_id !== threadId) return;
    show(m);
    if (m.sender_id !== me) markRead(m.id);
  });
  document.addEventListener("live:receipt", function (e) {
    var r = e.detail;
    if (r.thread_id !== threadId || r.user_id === me) return;
    other.read = Math.max(other.read, r.last_read_message_id);
    other.delivered = Math.max(other.delivered, r.last_delivered_message_id);
    updateReceipt();
  });
  document.addEventListener("live:resync", function () {
    var all = list.querySelectorAll("li[data-message-id]");
    // After the last message shown; an empty thread asks for the latest page (0 is not an id: 400).
    var query = all.length ? "?after=" + all[all.length - 1].getAttribute("data-message-id") : "";
    fetch("/api/messages/threads/" + threadId + "/messages" + query, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        data.messages.forEach(show);
        other.read = data.other.last_read_message_id;
        other.delivered = data.other.last_delivered_message_id;
        updateReceipt();
      })
      .catch(function () {});
  });
  document.addEventListener("visibilitychange", function () { markRead(latestTheirs()); });

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function flush() {
    if (sending) return;
    var queue = outbox();
    if (!queue.length) { updateReceipt(); return; }
    sending = true;
    var next = queue[0];
    var ids = (next.attachments || []).map(function (a) { return a.id; });
    api("POST", "/api/messages/send",
        { thread_id: threadId, body: next.body, client_msg_id: next.client_msg_id, attachment_ids: ids })
      .then(function (r) {
        if (r.status >= 500) throw new Error(String(r.status));  // the server's trouble: retry
        return r.json().then(function (data) { return { status: r.status, data: data }; });
      })
      .then(function (answer) {
        sending = false;
        saveOutbox(outbox().filter(function (q) { return q.client_msg_id !== next.client_msg_id; }));
        if (answer.status === 200 || answer.status === 201) {
          show(answer.data);
        } else {  // refused (closed conversation, suspended account...): say why, keep the text
          var li = list.querySelector('[data-client-msg-id="' + next.client_msg_id + '"]');
          if (li) {
            li.removeAttribute("data-pending");
            li.classList.add("failed");
            li.querySelector(".meta").textContent = "Not sent: " + ((answer.data.error || {}).message || answer.status);
          }
        }
        flush();
      })
      .catch(function () {  // offline or the server unreachable: try again later, same client_msg_id
        sending = false;
        updateReceipt();
        setTimeout(flush, navigator.onLine ? 3000 : 15000);
      });
  }

  function uploadFile(file) {
    var data = new FormData();
    data.append("thread_id", String(threadId));
    data.append("attachment", file);
    return fetch("/api/messages/attachments", {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": window.CoachConnectLive.csrf() },
      body: data
    }).then(function (r) {
      return r.json().then(function (body) { return { status: r.status, data: body }; });
    });
  }

  function fileError(text) {  // beside the file field, as the server's own form errors are
    var wrap = fileInput.closest(".field") || form;
    var p = wrap.querySelector("p.error");
    if (!text) {
      if (p) p.remove();
      wrap.classList.remove("has-error");
      fileInput.removeAttribute("aria-invalid");
      return;
    }
    if (!p) {
      p = document.createElement("p");
      p.className = "error";
      p.id = fileInput.id + "-err";
      wrap.appendChild(p);
    }
    p.textContent = text;
    wrap.classList.add("has-error");
    fileInput.setAttribute("aria-invalid", "true");
    fileInput.setAttribute("aria-describedby", p.id);
  }

  function pendingItem(q) {
    var li = item({ mine: true, body: q.body });
    showAttachments(li, q.attachments);
    li.setAttribute("data-client-msg-id", q.client_msg_id);
    li.setAttribute("data-pending", "");
    li.querySelector(".meta").textContent = "You · waiting to send";
  }

  if (form && box) {
    var saved = load(DRAFT);
    if (saved && !box.value) box.value = saved;
    box.addEventListener("input", function () { store(DRAFT, box.value || null); });
    var queueMessage = function (text, files) {
      var q = { client_msg_id: newId(), body: text, attachments: files };
      var queue = outbox();
      queue.push(q);
      saveOutbox(queue);
      pendingItem(q);
      box.value = "";
      store(DRAFT, null);
      updateReceipt();
      flush();
    };
    form.addEventListener("submit", function (e) {
      var text = box.value.trim();
      var file = fileInput && fileInput.files.length ? fileInput.files[0] : null;
      if (!text && !file) return;  // the server explains beside the field
      e.preventDefault();
      if (!file) { queueMessage(text, []); return; }
      var button = form.querySelector('button[type="submit"]');
      fileError(null);
      button.disabled = true;
      uploadFile(file)
        .then(function (answer) {
          button.disabled = false;
          if (answer.status === 201) {
            fileInput.value = "";
            queueMessage(text, [answer.data]);
            return;
          }
          var error = answer.data.error || {};
          fileError((error.fields || {}).attachment || error.message || "This file was not accepted.");
        })
        .catch(function () {
          button.disabled = false;
          fileError("The file could not be uploaded (are you offline?). Your message is kept: send it again once you are back.");
        });
    });
  }
  outbox().forEach(pendingItem);
  window.addEventListener("online", function () { flush(); markRead(latestTheirs()); });
  document.addEventListener("live:open", function () { flush(); markRead(latestTheirs()); });
  flush();
  markRead(latestTheirs());
})();
