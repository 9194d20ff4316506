-- The wrk side of bench/api_bench.py (read that first): the app API's quote and pay, one device token per
-- connection. Run as   wrk -t<n> -c<n> -d<s> --latency -s api_bench.lua <url> -- <quote|pay> <data.lua>
-- with as many threads as connections, so a thread's globals are its connection's state. A 200 (quote) or a
-- 201 (pay: a new payment under a fresh Idempotency-Key each time) is a good answer. done() prints one line
-- "HTTPBENCH_JSON {...}" in the format bench/http_bench.py parses.

local MODES = { quote = true, pay = true }
local MAX_BAD_SAMPLES = 3
local JSON_MARKER = "HTTPBENCH_JSON "

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("idx", thread_count)
  threads[#threads + 1] = thread
end

local mode, data, conn, body
local seq = 0
counts = { good = 0, bad = 0 }
bad_samples = {}

function init(args)
  local data_path
  for i = 0, #args do
    if MODES[args[i]] then
      mode, data_path = args[i], args[i + 1]
    end
  end
  if not mode or not data_path then
    error("api_bench.lua needs: -- <quote|pay> <data.lua>")
  end
  data = dofile(data_path)
  conn = data.conns[idx]
  body = string.format('{"service_id": %d, "account": "%s", "amount": "%s"', data.service_id, data.account, data.amount)
  if mode == "pay" then
    body = body .. string.format(', "pin": "%s"}', data.pin)
  else
    body = body .. "}"
  end
end

function request()
  local headers = {
    Host = data.host,
    ["User-Agent"] = "api_bench.lua",
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. conn.token,
  }
  if mode == "pay" then
    seq = seq + 1
    headers["Idempotency-Key"] = string.format("ab-%s-%d-%d", data.nonce, idx, seq)
    return wrk.format("POST", data.pay_path, headers, body)
  end
  return wrk.format("POST", data.quote_path, headers, body)
end

function response(status, headers, response_body)
  local expected = (mode == "pay") and 201 or 200
  if status == expected then
    counts.good = counts.good + 1
  else
    counts.bad = counts.bad + 1
    if #bad_samples < MAX_BAD_SAMPLES then
      bad_samples[#bad_samples + 1] = string.format("HTTP %d %s", status, (response_body or ""):sub(1, 160))
    end
  end
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

function done(summary, latency, requests)
  local good, bad, samples = 0, 0, {}
  for _, thread in ipairs(threads) do
    local thread_counts = thread:get("counts")
    good, bad = good + thread_counts.good, bad + thread_counts.bad
    for _, sample in ipairs(thread:get("bad_samples")) do
      if #samples < 10 then
        samples[#samples + 1] = json_string(sample)
      end
    end
  end
  io.write(
    JSON_MARKER,
    string.format(
      '{"duration_us":%d,"requests":%d,"good":%d,"bad":%d,"bad_samples":[%s]}',
      summary.duration,
      summary.requests,
      good,
      bad,
      table.concat(samples, ",")
    ),
    "\n"
  )
end
