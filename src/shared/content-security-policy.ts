/**
 * The Content-Security-Policy of the app's pages, in one place: browser mode sends it as a header,
 * the desktop app's session adds it to every response, and index.html carries it in a meta tag
 * (without frame-ancestors, which a meta tag cannot set). No inline or remote script, no eval.
 */
export const contentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
