// Copies GOV.UK Frontend's JavaScript and assets next to the compiled stylesheet, so Django's
// static files (and WhiteNoise) serve everything from the app itself: no CDN.
import { cpSync, mkdirSync } from "node:fs";

const dist = "node_modules/govuk-frontend/dist/govuk";
mkdirSync("assets/govuk", { recursive: true });
cpSync(`${dist}/assets`, "assets/govuk/assets", { recursive: true });
cpSync(`${dist}/govuk-frontend.min.js`, "assets/govuk/govuk-frontend.min.js");
