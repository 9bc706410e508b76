-- wrk script: POST a small streaming chat request (8 content chunks) with an API key.
-- Start the emulator with --api-key load-key first (see ../README.md, "Load").
wrk.method = "POST"
wrk.path = "/v1/chat/completions"
wrk.headers["Authorization"] = "Bearer load-key"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"qwen3-coder-plus","stream":true,"messages":[{"role":"user","content":"hi"}]}'

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, "data: [DONE]", 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("bad")
  end
  io.write(string.format("streams per second: %.0f\n", summary.requests / (summary.duration / 1000000)))
  io.write(string.format("streams that were not 200 or lacked [DONE]: %d\n", failed))
end
