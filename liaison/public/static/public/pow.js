/* Proof of work for the report forms (liaison/public/abuse.py): find a nonce such that
   SHA-256("<challenge>:<nonce>") starts with the number of zero bits the signed challenge
   asks. Plain JavaScript (crypto.subtle needs HTTPS), a few thousand hashes at a time so
   the page stays responsive. Without it the server answers with a clear error. */
(function () {
  "use strict";
  var K = [0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2];
  function sha256First(str) { // first 32-bit word of SHA-256 of an ASCII string
    var bytes = [], i, j;
    for (i = 0; i < str.length; i++) bytes.push(str.charCodeAt(i) & 0xff);
    var bitLen = bytes.length * 8;
    bytes.push(0x80);
    while (bytes.length % 64 !== 56) bytes.push(0);
    for (i = 7; i >= 0; i--) bytes.push(i > 3 ? 0 : (bitLen >>> (i * 8)) & 0xff);
    var h = [0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,0x510e527f,0x9b05688c,0x1f83d9ab,0x5be0cd19], w = new Array(64);
    for (i = 0; i < bytes.length; i += 64) {
      for (j = 0; j < 16; j++) w[j] = (bytes[i+4*j] << 24) | (bytes[i+4*j+1] << 16) | (bytes[i+4*j+2] << 8) | bytes[i+4*j+3];
      for (j = 16; j < 64; j++) {
        var a0 = w[j-15], a1 = w[j-2];
        var s0 = ((a0 >>> 7) | (a0 << 25)) ^ ((a0 >>> 18) | (a0 << 14)) ^ (a0 >>> 3);
        var s1 = ((a1 >>> 17) | (a1 << 15)) ^ ((a1 >>> 19) | (a1 << 13)) ^ (a1 >>> 10);
        w[j] = (w[j-16] + s0 + w[j-7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (j = 0; j < 64; j++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var t1 = (k + S1 + ((e & f) ^ (~e & g)) + K[j] + w[j]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    return h[0] >>> 0;
  }
  function bitsOf(challenge) { // the payload of Django's signed value: base64 JSON before the first ":"
    try {
      var b64 = challenge.split(":")[0].replace(/-/g, "+").replace(/_/g, "/");
      while (b64.length % 4) b64 += "=";
      return Math.min(24, JSON.parse(atob(b64)).b | 0);
    } catch (e) { return 16; }
  }
  function start(form) {
    var challenge = form.querySelector("[name=challenge]"), nonce = form.querySelector("[name=nonce]");
    var button = form.querySelector("button[type=submit]");
    if (!challenge || !nonce || !button) return;
    var bits = bitsOf(challenge.value), limit = Math.pow(2, 32 - bits), n = 0;
    button.disabled = true;
    button.textContent = "…";
    (function step() {
      for (var end = n + 4000; n < end; n++) {
        if (sha256First(challenge.value + ":" + n) < limit) {
          nonce.value = String(n);
          button.disabled = false;
          button.textContent = button.getAttribute("data-ready");
          return;
        }
      }
      setTimeout(step, 0);
    })();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-pow]");
    for (var i = 0; i < forms.length; i++) start(forms[i]);
  });
})();
