// The JSON API client (/api/v1/, see docs/openapi at /api/v1/docs). Every error comes back in one shape,
// {code, message, params}, with the message already in the holder's language.
import { language, t } from "./i18n.js";

const TOKEN_KEY = "elsom.token";
let base = "/api/v1/";

export class ApiError extends Error {
  constructor(status, body) {
    super(body.message || "");
    this.status = status;
    this.code = body.code || "error";
    this.params = body.params || {};
  }
}

// No answer at all (offline, the server down): the request may or may not have arrived.
export class NetworkError extends Error {}

export function configure(apiBase) {
  base = apiBase;
}

export const token = {
  get: () => localStorage.getItem(TOKEN_KEY),
  set: (value) => localStorage.setItem(TOKEN_KEY, value),
  clear: () => localStorage.removeItem(TOKEN_KEY),
};

export async function request(method, path, { body, headers = {}, query } = {}) {
  const url = new URL(base + path.replace(/^\//, ""), window.location.origin);
  for (const [key, value] of Object.entries(query || {})) if (value) url.searchParams.set(key, value);
  const sent = { Accept: "application/json", "Accept-Language": language(), ...headers };
  if (body !== undefined) sent["Content-Type"] = "application/json";
  const bearer = token.get();
  if (bearer) sent.Authorization = `Bearer ${bearer}`;
  let response;
  try {
    response = await fetch(url, { method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new NetworkError(t("Нет связи с сервером. Проверьте интернет и попробуйте снова."));
  }
  if (response.status === 204) return null;
  let data = {};
  try {
    data = await response.json();
  } catch (error) {
    data = { code: "bad_response", message: t("Сервер ответил непонятно. Попробуйте позже.") };
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// A file the API serves (a receipt's PDF) as a Blob: fetched with the device token, which a plain link cannot send.
async function file(path) {
  const sent = { "Accept-Language": language() };
  const bearer = token.get();
  if (bearer) sent.Authorization = `Bearer ${bearer}`;
  let response;
  try {
    response = await fetch(new URL(base + path.replace(/^\//, ""), window.location.origin), { headers: sent });
  } catch (error) {
    throw new NetworkError(t("Нет связи с сервером. Проверьте интернет и попробуйте снова."));
  }
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
  return response.blob();
}

export const api = {
  file,
  get: (path, query) => request("GET", path, { query }),
  post: (path, body, headers) => request("POST", path, { body, headers }),
  delete: (path) => request("DELETE", path),
};
