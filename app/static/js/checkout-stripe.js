/* Stripe Payment Element checkout (PAYMENT_GATEWAY=stripe only): the amount comes from the server. */
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var message = document.getElementById("payment-message");
  var stripe = Stripe(form.dataset.publishableKey);
  var elements = null;
  var paymentId = null;
  fetch(form.dataset.createUrl, {
    method: "POST",
    credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRFToken": form.dataset.csrf},
    body: JSON.stringify({booking_id: parseInt(form.dataset.bookingId, 10)})
  }).then(function (r) { return r.json().then(function (b) { return {ok: r.ok, body: b}; }); })
    .then(function (res) {
      if (!res.ok) { message.textContent = res.body.error.message; return; }
      paymentId = res.body.payment_id;
      elements = stripe.elements({clientSecret: res.body.client_secret});
      elements.create("payment").mount("#payment-element");
    });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!elements) { return; }
    stripe.confirmPayment({elements: elements, confirmParams: {return_url: form.dataset.returnBase + paymentId}})
      .then(function (result) { if (result.error) { message.textContent = result.error.message; } });
  });
}());
