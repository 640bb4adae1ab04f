// The identity provider's cross-site POST arrives without Academy's session cookie
// (SameSite=Lax); this page posts the same answer again from Academy itself, where the cookie is
// sent. No inline script: the Content-Security-Policy allows none. Without script, the person
// chooses Continue.
const form = document.querySelector("form[data-autosubmit]");
if (form) {
  form.submit();
}
