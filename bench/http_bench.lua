-- The wrk side of bench/http_bench.py (read that first). One script, four modes, chosen by the first argument
-- after `--`; the second is a Lua data file written by http_bench.py (hosts, secrets, one entry per connection):
--
--   page    GET the page; a 200 is a good answer.
--   refpay  POST /pay/ of the reference app with this connection's balance row; "OK <id>" is a good answer.
--   ussd    POST /ussd/gateway/: the whole payment in one request, a new sessionId each time; an answer that
--           starts with "END" and holds a 12-digit payment code is a good answer.
--   web     the cabinet's real sequence, per payment: POST the pay form -> GET the confirm page -> POST its
--           form («Оплатить»). A 302 to /cabinet/payments/<code>/ is a completed payment; only that POST is
--           timed (LuaJIT ffi clock_gettime), so its p50/p99 are not mixed with the two steps before it.
--
-- wrk runs it as   wrk -t<n> -c<n> -d<s> --latency -s http_bench.lua <url> -- <mode> <data.lua>
-- with as many threads as connections: each thread drives one connection, so a thread's globals are that
-- connection's state. done() prints one line "HTTPBENCH_JSON {...}" that http_bench.py parses.
--
-- The functions in the global table `bench` are pure (no wrk, no network), so the test suite can run them in
-- LuaJIT directly (tests/integration/test_bench_harness.py).

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } http_bench_timespec;
int clock_gettime(int clk_id, http_bench_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("http_bench_timespec")

bench = {}

function bench.now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000000 + math.floor(tonumber(timespec.tv_nsec) / 1000)
end

function bench.urlencode(value)
  return (tostring(value):gsub("[^%w%-%._~]", function(char)
    return string.format("%%%02X", string.byte(char))
  end))
end

local ENTITIES = { amp = "&", lt = "<", gt = ">", quot = '"', apos = "'" }

function bench.html_unescape(text)
  return (text:gsub("&(#?[xX]?)(%w+);", function(kind, name)
    if kind == "" then
      return ENTITIES[name] or ("&" .. name .. ";")
    end
    local code = (kind == "#") and tonumber(name) or tonumber(name, 16)
    if code and code < 128 then
      return string.char(code)
    end
    return "&" .. kind .. name .. ";"
  end))
end

local function attribute(tag, name)
  local value = tag:match("%s" .. name .. '%s*=%s*"([^"]*)"') or tag:match("%s" .. name .. "%s*=%s*'([^']*)'")
  return value and bench.html_unescape(value) or nil
end

-- The first <form> whose action contains `action_part` (plain text, not a pattern): its action and its input
-- fields as an ordered list of {name, value}, the way a browser would submit them. nil when there is none.
function bench.form_fields(html, action_part)
  for open_tag, inner in html:gmatch("(<form[^>]*>)(.-)</form>") do
    local action = attribute(open_tag, "action") or ""
    if action:find(action_part, 1, true) then
      local fields = {}
      for tag in inner:gmatch("<input[^>]*>") do
        local name = attribute(tag, "name")
        local kind = (attribute(tag, "type") or "text"):lower()
        if name and kind ~= "submit" and kind ~= "button" then
          fields[#fields + 1] = { name, attribute(tag, "value") or "" }
        end
      end
      return { action = action, fields = fields }
    end
  end
  return nil
end

function bench.field(form, name)
  for _, pair in ipairs(form.fields) do
    if pair[1] == name then
      return pair[2]
    end
  end
  return nil
end

function bench.encode_form(fields)
  local parts = {}
  for _, pair in ipairs(fields) do
    parts[#parts + 1] = bench.urlencode(pair[1]) .. "=" .. bench.urlencode(pair[2])
  end
  return table.concat(parts, "&")
end

-- A path from a Location header, which may be absolute (http://host:port/path) or a path already.
function bench.location_path(location)
  if not location then
    return nil
  end
  return location:match("^%a[%w+.-]*://[^/]*(/.*)$") or location
end

function bench.header(headers, name)
  local wanted = name:lower()
  for key, value in pairs(headers or {}) do
    if key:lower() == wanted then
      return value
    end
  end
  return nil
end

function bench.ussd_good(body)
  return body:sub(1, 4) == "END " and body:find("%d%d%d%d%d%d%d%d%d%d%d%d") ~= nil
end

function bench.paid_location(location)
  local path = bench.location_path(location)
  return path ~= nil and path:match("^/cabinet/payments/[^/]+/$") ~= nil
end

-- What is kept of a wrong answer: status, redirect, and the alert text or the start of the body (no request
-- data: the USSD request holds the PIN, the answers do not).
function bench.describe(step, status, headers, body)
  local text = body or ""
  local alert = text:match('role="alert"[^>]*>%s*(.-)%s*<') or text:match('invalid%-feedback[^>]*>%s*(.-)%s*<')
  local shown = (alert or text):gsub("%s+", " "):sub(1, 160)
  local location = bench.header(headers, "Location")
  return string.format("%s: HTTP %s%s %s", step, tostring(status), location and (" -> " .. location) or "", shown)
end

local function json_string(text)
  return '"' .. text:gsub('[%c"\\]', function(char)
    if char == '"' then
      return '\\"'
    elseif char == "\\" then
      return "\\\\"
    end
    return string.format("\\u%04x", string.byte(char))
  end) .. '"'
end

function bench.json(value)
  local kind = type(value)
  if kind == "nil" then
    return "null"
  elseif kind == "boolean" then
    return tostring(value)
  elseif kind == "number" then
    if value ~= value or value == math.huge or value == -math.huge then
      return "null"
    end
    if value == math.floor(value) and math.abs(value) < 2 ^ 53 then
      return string.format("%d", value)
    end
    return string.format("%.17g", value)
  elseif kind == "string" then
    return json_string(value)
  elseif kind == "table" then
    if next(value) == nil then
      return "[]"
    end
    if #value > 0 then
      local items = {}
      for i = 1, #value do
        items[i] = bench.json(value[i])
      end
      return "[" .. table.concat(items, ",") .. "]"
    end
    local items = {}
    for key, item in pairs(value) do
      items[#items + 1] = json_string(tostring(key)) .. ":" .. bench.json(item)
    end
    table.sort(items)
    return "{" .. table.concat(items, ",") .. "}"
  end
  return json_string(tostring(value))
end

-- --- wrk callbacks (below this line wrk's globals are used) ------------------------------------------------------

local MODES = { page = true, refpay = true, ussd = true, web = true }
local MAX_BAD_SAMPLES = 3
local JSON_MARKER = "HTTPBENCH_JSON "

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("idx", thread_count)
  threads[#threads + 1] = thread
end

local mode, data, conn
local seq = 0
local step = "form"
local started = nil
local pay_path, pay_body, confirm_path

-- Per-thread results, read by done() through thread:get(). Flat tables only: wrk 4.1 crashes copying nested ones.
counts = { good = 0, bad = 0 }
statuses = {}
steps = {}
bad_samples = {}
samples = {}

local function count(table_, key)
  key = tostring(key)
  table_[key] = (table_[key] or 0) + 1
end

local function good()
  counts.good = counts.good + 1
end

local function bad(description)
  counts.bad = counts.bad + 1
  if #bad_samples < MAX_BAD_SAMPLES then
    bad_samples[#bad_samples + 1] = description
  end
end

function init(args)
  local data_path
  for i = 0, #args do
    if MODES[args[i]] then
      mode, data_path = args[i], args[i + 1]
    end
  end
  if not mode or not data_path then
    error("http_bench.lua needs: -- <page|refpay|ussd|web> <data.lua>")
  end
  data = dofile(data_path)
  conn = (data.conns or {})[idx] or {}
  pay_path = data.pay_path
end

local function headers_for(method)
  local headers = { Host = data.host, ["User-Agent"] = "http_bench.lua" }
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  if conn.cookie then
    headers["Cookie"] = conn.cookie
  end
  if data.origin then
    headers["Origin"] = data.origin
    headers["Referer"] = data.origin .. "/"
  end
  if data.ussd_secret then
    headers["X-USSD-Secret"] = data.ussd_secret
  end
  return headers
end

function request()
  if mode == "page" then
    return wrk.format("GET", data.path, headers_for("GET"), nil)
  elseif mode == "refpay" then
    return wrk.format("POST", data.path, headers_for("POST"), "account=" .. bench.urlencode(conn.account))
  elseif mode == "ussd" then
    seq = seq + 1
    local body = "sessionId=" .. bench.urlencode(string.format("hb-%s-%d-%d", data.nonce, idx, seq))
      .. "&serviceCode=" .. bench.urlencode(data.service_code)
      .. "&phoneNumber=" .. bench.urlencode(conn.phone)
      .. "&text=" .. bench.urlencode(data.text)
    return wrk.format("POST", data.path, headers_for("POST"), body)
  end
  -- web
  if step == "form" then
    local body = "csrfmiddlewaretoken=" .. bench.urlencode(conn.csrf)
      .. "&account=" .. bench.urlencode(data.account)
      .. "&amount=" .. bench.urlencode(data.amount)
    return wrk.format("POST", pay_path, headers_for("POST"), body)
  elseif step == "confirm" then
    return wrk.format("GET", confirm_path, headers_for("GET"), nil)
  end
  started = bench.now_us()
  return wrk.format("POST", pay_body.action, headers_for("POST"), pay_body.body)
end

function response(status, headers, body)
  count(statuses, status)
  if mode == "page" then
    if status == 200 then good() else bad(bench.describe("page", status, headers, body)) end
  elseif mode == "refpay" then
    if status == 200 and body:sub(1, 3) == "OK " then
      good()
    else
      bad(bench.describe("pay", status, headers, body))
    end
  elseif mode == "ussd" then
    if status == 200 and bench.ussd_good(body) then
      good()
    else
      bad(bench.describe("ussd", status, headers, body))
    end
  elseif step == "form" then
    count(steps, "form")
    local location = bench.location_path(bench.header(headers, "Location"))
    if status == 302 and location and location:find("/confirm/", 1, true) then
      confirm_path, step = location, "confirm"
    else
      bad(bench.describe("pay form", status, headers, body))
    end
  elseif step == "confirm" then
    count(steps, "confirm")
    local form = status == 200 and bench.form_fields(body, "/confirm/") or nil
    if form and bench.field(form, "token") then
      pay_body = { action = bench.location_path(form.action), body = bench.encode_form(form.fields) }
      step = "pay"
    else
      bad(bench.describe("confirm page", status, headers, body))
      step = "form"
    end
  else
    count(steps, "pay")
    local elapsed = bench.now_us() - started
    if status == 302 and bench.paid_location(bench.header(headers, "Location")) then
      good()
      samples[#samples + 1] = elapsed
    else
      bad(bench.describe("«Оплатить»", status, headers, body))
    end
    step = "form"
  end
end

function done(summary, latency, requests)
  local result = {
    duration_us = summary.duration,
    requests = summary.requests,
    errors = {
      connect = summary.errors.connect,
      read = summary.errors.read,
      write = summary.errors.write,
      status = summary.errors.status,
      timeout = summary.errors.timeout,
    },
    latency_us = { p50 = latency:percentile(50), p99 = latency:percentile(99), max = latency.max },
    good = 0,
    bad = 0,
    statuses = {},
    steps = {},
    bad_samples = {},
    samples = {},
  }
  for _, thread in ipairs(threads) do
    local thread_counts = thread:get("counts")
    result.good = result.good + thread_counts.good
    result.bad = result.bad + thread_counts.bad
    for _, name in ipairs({ "statuses", "steps" }) do
      for key, n in pairs(thread:get(name)) do
        result[name][key] = (result[name][key] or 0) + n
      end
    end
    for _, sample in ipairs(thread:get("bad_samples")) do
      if #result.bad_samples < 10 then
        result.bad_samples[#result.bad_samples + 1] = sample
      end
    end
    for _, sample in ipairs(thread:get("samples")) do
      result.samples[#result.samples + 1] = sample
    end
  end
  io.write(JSON_MARKER, bench.json(result), "\n")
end
