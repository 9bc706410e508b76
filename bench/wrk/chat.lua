-- wrk script for bench/wrk.sh: POST a small chat completion, streaming when STREAM=1, and count
-- answers that are not a 200 ending as they should (a stream with data: [DONE], a body with "choices").
-- Prints one machine-readable line at the end: requests, seconds, p50/p90/p99 latency in us, bad answers.
wrk.method = "POST"
wrk.path = "/v1/chat/completions"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_KEY") or "bench-key")
wrk.headers["Content-Type"] = "application/json"
local stream = os.getenv("STREAM") == "1"
wrk.body = '{"model":"qwen3-coder-plus","stream":' .. (stream and "true" or "false")
  .. ',"messages":[{"role":"user","content":"hi"}]}'

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
end

function response(status, headers, body)
  local marker = stream and "data: [DONE]" or "\"choices\""
  if status ~= 200 or not string.find(body, marker, 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("bad")
  end
  local e = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.3f p50=%d p90=%d p99=%d bad=%d\n",
    summary.requests, summary.duration / 1000000, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), failed + e.connect + e.read + e.write + e.timeout))
end
