// Passkeys: the words django-otp-webauthn's scripts show (they ask a global gettext for them), and what
// happens once a passkey has been added. Loaded before the library's module scripts; nothing inline.
(function () {
  "use strict";
  var words = {
    "Register a Passkey": "Add a passkey",
    "Registering...": "Waiting for your passkey…",
    "Finishing registration...": "Saving your passkey…",
    "Registration successful!": "Your passkey has been added.",
    "Registration aborted.": "The passkey was not added. Try again.",
    "Registration aborted or not allowed.": "The passkey was not added. Try again.",
    "Registration failed. You most likely already have a Passkey registered for this site.":
      "This passkey is already added to your account.",
    "Registration failed. The server was unable to verify this passkey.": "The passkey could not be checked. Try again.",
    "Registration failed. Unable to fetch registration options from server.": "Something went wrong. Try again.",
    "Registration failed. A server error occurred.": "Something went wrong. Try again.",
    "Registration failed. An unknown error occurred.": "Something went wrong. Try again.",
    "Registration failed. A technical problem occurred that prevents you from registering a Passkey for this site.":
      "This browser cannot add a passkey for this service.",
    "An error occurred during registration.": "Something went wrong. Try again.",
    "Verify with Passkey": "Use your passkey",
    "Verifying...": "Waiting for your passkey…",
    "Finishing verification...": "Checking your passkey…",
    "Verification successful!": "Your passkey was accepted.",
    "Verification aborted.": "The passkey was not used. Try again.",
    "Verification canceled or not allowed.": "The passkey was not used. Try again.",
    "Verification failed. Could not retrieve parameters from the server.": "Something went wrong. Try again.",
    "Verification failed. A server error occurred.": "Something went wrong. Try again.",
    "Verification failed. An unknown server error occurred.": "Something went wrong. Try again.",
    "Verification failed. An unknown error occurred.": "The passkey was not accepted. Try again.",
    "An error occurred during verification.": "The passkey was not accepted. Try again."
  };
  window.gettext = function (text) {
    return Object.prototype.hasOwnProperty.call(words, text) ? words[text] : text;
  };
  document.addEventListener("otp_webauthn.register_complete", function () {
    var page = document.querySelector("[data-passkey-added-url]");
    window.location.assign(page ? page.getAttribute("data-passkey-added-url") : window.location.href);
  });
})();
