// Session timeout warning (WCAG 2.2.1 Timing Adjustable). The server ends a session after 15 minutes
// without activity and 12 hours after sign-in whatever happens here; this only warns two minutes before
// the idle limit and lets the user stay signed in. The page tells us the seconds left in data attributes.
const body = document.body;
const warning = document.querySelector("[data-session-warning]");
const form = warning && warning.querySelector("[data-session-extend]");
const text = warning && warning.querySelector("[data-session-warning-text]");

const warnSeconds = Number(body.dataset.sessionWarn || 120);
let warnTimer;
let expireTimer;

function clock(secondsFromNow) {
  return new Date(Date.now() + secondsFromNow * 1000).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

function schedule(idle, absolute) {
  clearTimeout(warnTimer);
  clearTimeout(expireTimer);
  const left = Math.min(idle, absolute);
  const warnAt = Math.max(left - warnSeconds, 0);
  warnTimer = setTimeout(() => show(idle, absolute), warnAt * 1000);
  // At the limit, reload: the server has ended the session and sends the sign-in page with the reason.
  expireTimer = setTimeout(() => window.location.assign(window.location.pathname + window.location.search), (left + 2) * 1000);
}

function show(idle, absolute) {
  if (absolute <= idle) {
    // Signing in again is the only way past the absolute limit: say so, and offer nothing that cannot work.
    text.textContent = `For your security, you will be signed out at ${clock(warnSeconds)}` +
      " because you signed in many hours ago. Save your work, then sign in again.";
    form.hidden = true;
  } else {
    text.textContent = `For your security, you will be signed out at ${clock(warnSeconds)}` +
      " because you have not used the service for a while.";
  }
  warning.hidden = false;
  warning.focus();
}

if (warning && form) {
  const idle = Number(body.dataset.sessionIdle);
  const absolute = Number(body.dataset.sessionAbsolute);
  schedule(idle, absolute);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      const left = await response.json();
      warning.hidden = true;
      schedule(left.idle_seconds, left.absolute_seconds);
    } catch {
      // The session has already ended (or the network failed): let the ordinary form post decide.
      form.submit();
    }
  });
}
