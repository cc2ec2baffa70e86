// The push worker: shows a pushed notification (one per subject: `tag`) and opens its link.
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: "Coach Connect" }; }
  event.waitUntil(self.registration.showNotification(data.title || "Coach Connect", {
    body: data.body || "",
    tag: data.tag || undefined,
    renotify: !!data.tag,
    data: { link: data.link || "/notifications" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var link = new URL((event.notification.data || {}).link || "/notifications", self.location.origin).href;
  event.waitUntil(self.clients.openWindow(link));
});
