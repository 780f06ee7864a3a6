-- wrk script of bench/run.py: requests read from one file per wrk thread, statuses counted.
--
-- WRK_REQUESTS=<prefix>: thread n reads <prefix>.<n>, one request a line, "PATH<TAB>BODY"
-- (BODY empty for a GET). WRK_METHOD=GET|POST. WRK_CYCLE=1 reuses the lines (pages);
-- without it each line is sent once (a POST's signed nonce is single use) and a thread
-- that runs out sends GET /__exhausted__, counted apart so a short file cannot pass for
-- a slow server. done() prints one line "WRKJSON {...}" that run.py reads.

local method = os.getenv("WRK_METHOD") or "GET"
local prefix = os.getenv("WRK_REQUESTS")
local cycle = os.getenv("WRK_CYCLE") == "1"

local threads = {}
local next_index = 0

function setup(thread)
  thread:set("index", next_index)
  next_index = next_index + 1
  table.insert(threads, thread)
end

local requests_ = {}
local position = 0
local exhausted_request = nil
statuses = {}
exhausted = 0
sent = 0

function init(args)
  exhausted_request = wrk.format("GET", "/__exhausted__")
  if prefix == nil then
    return
  end
  local headers = {}
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  for line in io.lines(prefix .. "." .. index) do
    local path, body = line:match("^([^\t]+)\t?(.*)$")
    if path ~= nil then
      if body == "" then
        body = nil
      end
      requests_[#requests_ + 1] = wrk.format(method, path, headers, body)
    end
  end
end

function request()
  sent = sent + 1
  if #requests_ == 0 then
    return wrk.format(method, nil)
  end
  position = position + 1
  if position > #requests_ then
    if not cycle then
      exhausted = exhausted + 1
      return exhausted_request
    end
    position = 1
  end
  return requests_[position]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  local total_exhausted = 0
  local total_sent = 0
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do
      counts[code] = (counts[code] or 0) + n
    end
    total_exhausted = total_exhausted + thread:get("exhausted")
    total_sent = total_sent + thread:get("sent")
  end
  local parts = {}
  for code, n in pairs(counts) do
    parts[#parts + 1] = string.format('"%d": %d', code, n)
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "statuses": {%s}, "exhausted": %d, "sent": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, table.concat(parts, ", "), total_exhausted, total_sent,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
