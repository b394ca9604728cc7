// The referral form's draft, kept on the server while it is typed (cases/views/drafts.py), so a session
// that times out, a closed tab or a lost connection does not lose a long referral. At most one save every
// 30 seconds while typing (each is an audited request), one more when the timeout warning appears, and
// one when the page is hidden. After the first save, the page's address and the form's carry the draft,
// so a reload, or a post refused because the session ended, comes back to it after signing in again.
// Without JavaScript the form posts as before, and "Save as draft" saves it.
const form = document.querySelector("form[data-referral-draft]");
// REFERRAL_DRAFT_SAVE_SECONDS: 30 unless a test shortens it.
const SAVE_EVERY_MS = Number((form && form.dataset.draftEvery) || 30) * 1000;

if (form) {
  const saveUrl = form.dataset.referralDraft;
  const reference = form.querySelector("[data-draft-reference]");
  const status = form.querySelector("[data-draft-status]");
  let dirty = false;
  let timer = null;
  let saving = false;
  let stopped = false;

  async function save() {
    clearTimeout(timer);
    timer = null;
    if (!dirty || saving || stopped) return;
    saving = true;
    dirty = false;
    try {
      const response = await fetch(saveUrl, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        redirect: "manual",
        keepalive: document.visibilityState === "hidden",
      });
      if (response.status === 404 && reference.value) {
        // The draft has gone (logged from another tab, or discarded): start a new one.
        reference.value = "";
        dirty = true;
        return;
      }
      if (!response.ok) throw new Error(String(response.status));
      const saved = await response.json();
      if (!saved.reference) return;
      reference.value = saved.reference;
      form.action = saved.url;
      window.history.replaceState(null, "", saved.url);
      form.dataset.draftSavedAt = saved.saved_at;
      status.textContent = `Your draft was saved at ${saved.saved_at}. Only you can see it.`;
      document.dispatchEvent(new CustomEvent("app:session-contact", { detail: saved.session }));
    } catch {
      dirty = true; // tried again at the next turn
    } finally {
      saving = false;
      if (dirty && !stopped && !timer) timer = setTimeout(save, SAVE_EVERY_MS);
    }
  }

  form.addEventListener("input", () => {
    if (stopped) return;
    dirty = true;
    if (!timer) timer = setTimeout(save, SAVE_EVERY_MS);
  });
  document.addEventListener("app:session-warning", save);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save();
  });
  // Signed out: nothing more can be saved; what is on the page stays on the page.
  document.addEventListener("app:session-ended", () => {
    stopped = true;
    clearTimeout(timer);
  });
  // Logging the referral or "Save as draft" sends everything: no autosave may race it.
  form.addEventListener("submit", () => {
    stopped = true;
    clearTimeout(timer);
  });
}
