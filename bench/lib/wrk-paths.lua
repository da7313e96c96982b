-- wrk script for the media benchmarks (lib/load.ts runs it).
-- Arguments after `--`: <paths file or "-"> <threads>.
-- With a paths file, thread t sends the paths t+1, t+1+threads, t+1+2*threads, … of the file in turn, so no
-- two requests of a run share a URL while the file lasts (the caller makes it longer than a run can use);
-- past its end the thread starts over and `wrapped` says so. With "-", every request is the URL given to wrk.
-- done() prints one line `WRK_JSON {…}` with counts, errors and latency percentiles (microseconds).

local threads = {}
local created = 0

function setup(thread)
  thread:set("tid", created)
  created = created + 1
  table.insert(threads, thread)
end

function init(args)
  nthreads = tonumber(args[2]) or 1
  sent = 0
  wrapped = 0
  paths = {}
  if args[1] and args[1] ~= "-" then
    for line in io.lines(args[1]) do
      if line ~= "" then paths[#paths + 1] = line end
    end
  end
  if #paths == 0 then
    request = nil -- static: wrk sends its URL every time, at full speed
  end
end

function request()
  local i = tid + sent * nthreads + 1
  sent = sent + 1
  if i > #paths then
    wrapped = wrapped + 1
    i = ((i - 1) % #paths) + 1
  end
  return wrk.format(nil, paths[i])
end

function done(summary, latency, requests)
  local sentAll, wrappedAll = 0, 0
  for _, t in ipairs(threads) do
    sentAll = sentAll + (t:get("sent") or 0)
    wrappedAll = wrappedAll + (t:get("wrapped") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationUs":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"min":%d,"mean":%.1f,"stdev":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d},"sent":%d,"wrapped":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, sentAll, wrappedAll))
end
