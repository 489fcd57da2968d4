// A pre-rendered page's header says who is signed in, as the app's does (infra/site.py loads this
// alone, deferred: no module, no strings; the words are in the page, in its language). The session is
// the app's (api.js: sessionStorage, gone when the tab closes); "sign out" forgets it, as the app does.
(function () {
  var KEY = "motcua.session";
  var bar = document.getElementById("userbar");
  var raw = null;
  try {
    raw = JSON.parse(sessionStorage.getItem(KEY) || "null");
  } catch (e) {
    raw = null;
  }
  if (!bar || !raw || !raw.id_token) return;
  var claims;
  try {
    var part = raw.id_token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    var bytes = Uint8Array.from(atob(part + "===".slice((part.length + 3) % 4)), function (c) { return c.charCodeAt(0); });
    claims = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    return;
  }
  var staff = raw.pool === "staff";
  var roles = JSON.parse(bar.getAttribute("data-roles") || "{}");
  document.getElementById("userbar-name").textContent = claims.name || claims.email || claims["cognito:username"] || "";
  var extra = staff ? [roles[claims["custom:role"]], claims["custom:agency_code"]].filter(Boolean).join(" · ") : "";
  var more = document.getElementById("userbar-extra");
  more.textContent = extra;
  more.hidden = !extra;
  var mine = document.getElementById(staff ? "userbar-inbox" : "userbar-me");
  if (mine) mine.hidden = false;
  document.getElementById("signout-btn").addEventListener("click", function () {
    sessionStorage.removeItem(KEY);
    location.href = staff ? "/?lang=" + document.documentElement.lang + "#/staff" : location.pathname;
  });
  bar.hidden = false;
})();
