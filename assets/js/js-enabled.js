// Loaded synchronously at the top of <body> so GOV.UK Frontend's JS-only styles apply without a flash,
// and without an inline script (the Content-Security-Policy allows none).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
