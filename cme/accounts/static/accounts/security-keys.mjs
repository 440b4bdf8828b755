// AC-8: the WebAuthn ceremonies of the security keys page and the two-factor step (our own file, no CDN; the
// pages load it with the CSP nonce). A form marked data-webauthn="create" or "get" carries the server's options
// (JSON, base64url) in data-webauthn-options; on submit the browser asks the security key, the answer goes into
// the hidden "credential" field and the form is sent. If the key does not answer, the form is sent without one
// and the server says so (and gives a fresh challenge).

const toBytes = (text) => {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
};

const toText = (buffer) => {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const descriptors = (list) => (list || []).map((item) => ({ ...item, id: toBytes(item.id) }));

const creationOptions = (options) => ({
  ...options,
  challenge: toBytes(options.challenge),
  user: { ...options.user, id: toBytes(options.user.id) },
  excludeCredentials: descriptors(options.excludeCredentials),
});

const requestOptions = (options) => ({
  ...options,
  challenge: toBytes(options.challenge),
  allowCredentials: descriptors(options.allowCredentials),
});

const answer = (credential) => {
  const r = credential.response;
  const response = { clientDataJSON: toText(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toText(r.attestationObject);
    response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
  } else {
    response.authenticatorData = toText(r.authenticatorData);
    response.signature = toText(r.signature);
    if (r.userHandle) response.userHandle = toText(r.userHandle);
  }
  return JSON.stringify({
    id: credential.id, rawId: toText(credential.rawId), type: credential.type, response,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
  });
};

for (const form of document.querySelectorAll("form[data-webauthn]")) {
  const output = form.querySelector("input[name='credential']");
  if (!window.PublicKeyCredential || !navigator.credentials) {
    const unsupported = form.querySelector("[data-webauthn-unsupported]");
    if (unsupported) unsupported.hidden = false;
    continue;
  }
  const options = JSON.parse(form.dataset.webauthnOptions);
  form.addEventListener("submit", async (event) => {
    const name = form.querySelector("input[name='name']");
    if (output.value || (name && !name.value.trim())) return; // the server checks the name first
    event.preventDefault();
    try {
      const credential = form.dataset.webauthn === "create"
        ? await navigator.credentials.create({ publicKey: creationOptions(options) })
        : await navigator.credentials.get({ publicKey: requestOptions(options) });
      output.value = credential ? answer(credential) : "";
    } catch {
      output.value = "";
    }
    form.submit();
  });
}
