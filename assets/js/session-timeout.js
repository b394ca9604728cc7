// Session timeout (WCAG 2.2.1 Timing Adjustable). The server ends a session after 15 minutes without
// activity and 12 hours after sign-in whatever happens here (partners/middleware.py). This script:
// - counts typing as activity: at most once a minute while someone types in a form it posts a keep-alive,
//   which restarts the server's idle clock (never the absolute one);
// - warns two minutes before the limit and lets the person stay signed in, without ever taking focus
//   from a form field (the warning is then announced through a live region instead);
// - at the limit never reloads or leaves the page: it says the person has been signed out and leaves
//   every field as it was, so nothing typed is lost (a referral's draft is on the server already).
// Before warning or saying so, it asks the server how long is really left: another tab may have kept
// the session alive. Asking is not activity (the server does not count it).
const body = document.body;
const warning = document.querySelector("[data-session-warning]");
const form = warning && warning.querySelector("[data-session-extend]");
const text = warning && warning.querySelector("[data-session-warning-text]");
const ended = document.querySelector("[data-session-ended]");
const announcer = document.querySelector("[data-session-announce]");

const warnSeconds = Number(body.dataset.sessionWarn || 120);
// Typing restarts the idle clock at most this often (SESSION_KEEP_ALIVE_SECONDS: one request, and one
// audit entry, a minute).
const KEEP_ALIVE_EVERY_MS = Number((form && form.dataset.keepAliveEvery) || 60) * 1000;
let warnTimer;
let expireTimer;
let lastContact = Date.now(); // the page itself was activity
let shownFor = null; // "idle" or "absolute" while the warning is shown
let returnFocusTo = null;
let signedOut = false;

function clock(secondsFromNow) {
  return new Date(Date.now() + secondsFromNow * 1000).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

function isField(element) {
  return Boolean(element && element.closest && element.closest("input, textarea, select, [contenteditable='true']"));
}

function announce(message) {
  // Emptied first, so the same words said twice are announced twice.
  announcer.textContent = "";
  setTimeout(() => { announcer.textContent = message; }, 50);
}

function csrfToken() {
  return form.querySelector("input[name=csrfmiddlewaretoken]").value;
}

async function ask(url, options = {}) {
  // The session's seconds left, or null when it has ended (the server answers a signed-out request with
  // a redirect to sign in, which is not followed here).
  const response = await fetch(url, {
    credentials: "same-origin",
    redirect: "manual",
    ...options,
    headers: { Accept: "application/json", ...(options.headers || {}) },
  });
  if (!response.ok) return null;
  return response.json();
}

function schedule(idle, absolute) {
  clearTimeout(warnTimer);
  clearTimeout(expireTimer);
  const left = Math.min(idle, absolute);
  warnTimer = setTimeout(whenWarningIsDue, Math.max(left - warnSeconds, 0) * 1000);
  expireTimer = setTimeout(whenSessionEnds, (left + 2) * 1000);
}

function hideWarning() {
  warning.hidden = true;
  shownFor = null;
}

function refreshed(left) {
  // New seconds from the server: the warning goes if it is no longer due (the absolute one stays).
  lastContact = Date.now();
  if (shownFor === "idle" && Math.min(left.idle_seconds, left.absolute_seconds) > warnSeconds) hideWarning();
  schedule(left.idle_seconds, left.absolute_seconds);
}

async function whenWarningIsDue() {
  let left;
  try {
    left = await ask(form.dataset.sessionStatus);
  } catch {
    left = undefined; // the network: warn as planned
  }
  if (left === null) return showSignedOut("idle");
  if (left && Math.min(left.idle_seconds, left.absolute_seconds) > warnSeconds + 5) {
    schedule(left.idle_seconds, left.absolute_seconds); // another tab kept the session alive
    return;
  }
  show(left ? left.idle_seconds : warnSeconds, left ? left.absolute_seconds : Infinity);
}

function show(idle, absolute) {
  const kind = absolute <= idle ? "absolute" : "idle";
  if (shownFor === kind) return; // already said
  shownFor = kind;
  const left = Math.max(Math.min(idle, absolute), 0);
  if (kind === "absolute") {
    // Signing in again is the only way past the absolute limit: say so, and offer nothing that cannot work.
    text.textContent = `For your security, you will be signed out at ${clock(left)}` +
      " because you signed in many hours ago. Typing does not keep you signed in past that time." +
      " Save your work, then sign in again.";
    form.hidden = true;
  } else {
    text.textContent = `For your security, you will be signed out at ${clock(left)}` +
      " because you have not used the service for a while.";
    form.hidden = false;
  }
  warning.hidden = false;
  document.dispatchEvent(new CustomEvent("app:session-warning"));
  if (isField(document.activeElement)) {
    // Someone is in a field: their next keystrokes stay there, and typing keeps them signed in.
    returnFocusTo = null;
    announce(`You are about to be signed out. ${text.textContent}` +
      (kind === "idle" ? " Keep typing, or select Stay signed in, to stay signed in." : ""));
  } else {
    returnFocusTo = document.activeElement;
    warning.focus();
  }
}

async function whenSessionEnds() {
  let left;
  try {
    left = await ask(form.dataset.sessionStatus);
  } catch {
    left = null; // no answer at the limit: the session has ended on the server regardless
  }
  if (left && Math.min(left.idle_seconds, left.absolute_seconds) > 0) {
    refreshed(left); // kept alive from another tab
    return;
  }
  showSignedOut(shownFor === "absolute" ? "absolute" : "idle");
}

function showSignedOut(reason) {
  if (signedOut) return;
  signedOut = true;
  clearTimeout(warnTimer);
  clearTimeout(expireTimer);
  hideWarning();
  document.dispatchEvent(new CustomEvent("app:session-ended"));
  if (reason === "absolute") {
    // The page says why for the idle limit; the absolute one is rarer.
    ended.querySelector("[data-session-ended-text]").textContent =
      "For your security, you were signed out because you signed in many hours ago.";
  }
  const draft = document.querySelector("form[data-referral-draft]");
  const draftNote = ended.querySelector("[data-session-ended-draft]");
  if (draft && draft.dataset.draftSavedAt) {
    draftNote.textContent = `Your referral was saved as a draft at ${draft.dataset.draftSavedAt}.` +
      " Sign in again to carry on with it; anything typed after that time is only on this page.";
    draftNote.hidden = false;
  }
  // Back to this page (and its draft) after signing in again.
  const link = ended.querySelector("[data-session-sign-in]");
  link.href = `${link.dataset.login}?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
  ended.hidden = false;
  if (isField(document.activeElement)) {
    announce(`You have been signed out. ${ended.querySelector("[data-session-ended-text]").textContent}` +
      " What you typed is still on this page.");
  } else {
    ended.focus();
  }
}

async function keepAlive() {
  lastContact = Date.now(); // throttled from the moment it is sent
  let left;
  try {
    left = await ask(form.dataset.keepAlive, { method: "POST", headers: { "X-CSRFToken": csrfToken() } });
  } catch {
    return; // the network: the next keystroke after a minute tries again
  }
  if (left === null) {
    showSignedOut("idle");
    return;
  }
  refreshed(left);
}

if (warning && form && ended && announcer) {
  schedule(Number(body.dataset.sessionIdle), Number(body.dataset.sessionAbsolute));

  document.addEventListener("input", (event) => {
    if (signedOut || !isField(event.target)) return;
    if (Date.now() - lastContact >= KEEP_ALIVE_EVERY_MS) keepAlive();
  });

  // Another script's request to the server was activity too (the referral form's draft autosave).
  document.addEventListener("app:session-contact", (event) => {
    if (!signedOut && event.detail) refreshed(event.detail);
  });

  // Once signed out, a form sent from this page would only lose what was typed on the way to sign-in.
  document.addEventListener("submit", (event) => {
    if (!signedOut) return;
    event.preventDefault();
    ended.focus();
  }, true);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        redirect: "manual",
      });
      if (!response.ok) throw new Error(String(response.status));
      const left = await response.json();
      hideWarning();
      refreshed(left);
      if (returnFocusTo && returnFocusTo.focus) returnFocusTo.focus();
    } catch {
      // The session has already ended (or the network failed): say so, and keep the page as it is.
      showSignedOut("idle");
    }
  });
}
