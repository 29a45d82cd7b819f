-- wrk script of scripts/bench-submit: each thread submits its share of the
-- prepared tips (a line each: token, photo id, client address, idempotency
-- key), one photo per tip, and counts the answers. Arguments: the file of
-- lines and the number of wrk threads.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local body_head = '{"category":"illicit_card_ads",'
  .. '"description":"Cards on every windscreen in the car park",'
  .. '"location":{"lat":39.9087,"lon":116.3975,"accuracy_m":12.0},'
  .. '"address":"Car park, Dongcheng",'
  .. '"contacts":[{"kind":"phone","value":"138 0013 8000"},{"kind":"wechat","value":"Lily_2024"}],'
  .. '"media_ids":["'

function init(args)
  local path, nthreads = args[1], tonumber(args[2])
  lines = {}
  local i = 0
  for line in io.lines(path) do
    if i % nthreads == id then
      table.insert(lines, line)
    end
    i = i + 1
  end
  at = 0
  created = 0
  other = 0
  statuses = {}
end

function request()
  at = at + 1
  local line = lines[(at - 1) % #lines + 1]
  local token, media, address, key = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)$")
  if at > #lines then
    -- Out of photos: a new key, so the service refuses the used photo
    -- (422) rather than replaying the first answer, and the summary says so.
    key = key .. "-" .. at
  end
  return wrk.format("POST", "/v1/tips", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["X-Forwarded-For"] = address,
    ["Idempotency-Key"] = key,
  }, body_head .. media .. '"]}')
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    other = other + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total_created, total_other, by_status = 0, 0, {}
  for _, thread in ipairs(threads) do
    total_created = total_created + thread:get("created")
    total_other = total_other + thread:get("other")
    for status, n in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(by_status) do
    table.insert(parts, string.format('"%d":%d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"created":%d,"other":%d,"statuses":{%s},"errors":%d,"seconds":%.3f,'
      .. '"p50_ms":%.3f,"p99_ms":%.3f,"mean_ms":%.3f}\n',
    total_created, total_other, table.concat(parts, ","),
    e.connect + e.read + e.write + e.timeout,
    summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000))
end
