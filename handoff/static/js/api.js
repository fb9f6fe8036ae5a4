// The JSON API client of the inbox and ops pages (docs/api.md). The bearer token lives in
// sessionStorage: it is gone when the tab closes, and other sites' scripts cannot read it.

const TOKEN_KEY = "tokonusa.agent.token";
const AGENT_KEY = "tokonusa.agent";

export class ApiError extends Error {
  constructor(status, detail) {
    // An upload's refusal is {error, detail, limit}: its detail is the sentence to show.
    super(typeof detail === "string" ? detail : detail?.detail || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
  }
}

export const token = () => sessionStorage.getItem(TOKEN_KEY);
export const currentAgent = () => JSON.parse(sessionStorage.getItem(AGENT_KEY) || "null");

const listeners = new Set();
/** Called with no argument when the server says the session is over (401). */
export const onLoggedOut = (listener) => listeners.add(listener);

function forget() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(AGENT_KEY);
}

/** The server ended the session (401, or the event stream said so): forget it, tell the page. */
export function sessionEnded() {
  forget();
  listeners.forEach((listener) => listener());
}

/** fetch() with the token; returns the parsed JSON (or the raw Response when raw is true).
 * A `file` is sent as the raw body (the attachment uploads take no multipart). */
export async function request(method, path, { body, raw = false, file, headers: extra = {} } = {}) {
  const headers = { Accept: raw ? "*/*" : "application/json", ...extra };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  if (file) headers["Content-Type"] = file.type || "application/octet-stream";
  else if (body !== undefined) headers["Content-Type"] = "application/json";
  const sent = file ?? (body === undefined ? undefined : JSON.stringify(body));
  const response = await fetch(path, { method, headers, body: sent });
  if (response.status === 401 && token()) sessionEnded();
  if (!response.ok) {
    const detail = await response.json().then((data) => data.detail, () => response.statusText);
    throw new ApiError(response.status, detail);
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

export const get = (path) => request("GET", path);
export const post = (path, body = {}) => request("POST", path, { body });
export const upload = (path, file, headers) => request("POST", path, { file, headers });

function remember(data) {
  sessionStorage.setItem(TOKEN_KEY, data.token);
  sessionStorage.setItem(AGENT_KEY, JSON.stringify(data.agent));
  return data.agent;
}

export async function login(username, password) {
  return remember(await post("/api/v1/auth/login", { username, password }));
}

/** Every session of the account ends; the answer carries this tab's new token. */
export async function changePassword(current, fresh) {
  return remember(await post("/api/v1/auth/password", { current_password: current, new_password: fresh }));
}

export async function logout() {
  try { await post("/api/v1/auth/logout"); } catch { /* the token is dropped either way */ }
  forget();
}

/** "?a=1&b=2" from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
