-- checkin.lua - wrk script for scripts/bench/checkin: every request POSTs one check-in of a ticket not used before.
--
-- usage: wrk -t1 -c32 -d10s -s scripts/bench/checkin.lua URL -- TICKETS.txt TOKEN RUN
-- TICKETS.txt has one "CODE REF" line per ticket (REF = the transport it is seated on); RUN makes the
-- event ids unique across runs. Use one wrk thread: the tickets are handed out in order from one list.
-- When the list runs out it starts again, and those repeats are answered already_boarded: done() prints
-- how many answers were not 200 with "status":"ok" and how many tickets were short, so a run that
-- reused tickets cannot pass unnoticed.

-- globals, not locals: done() reads nonok, sent and ntickets from the thread with thread:get()
tickets, token, run = {}, "", "0"
next_ticket, nonok, sent, ntickets = 1, 0, 0, 0
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   token, run = args[2], args[3]
   for line in io.lines(args[1]) do
      local code, ref = line:match("^(%S+)%s+(%S+)$")
      if code then tickets[#tickets + 1] = '{"ticket":"' .. code .. '","transport":"' .. ref .. '"' end
   end
   ntickets = #tickets
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
   local t = tickets[(next_ticket - 1) % #tickets + 1]
   next_ticket = next_ticket + 1
   sent = sent + 1
   return wrk.format(nil, nil, nil, t .. ',"device":"bench","event_id":"bench-' .. run .. '-' .. sent .. '"}')
end

function response(status, headers, body)
   if status ~= 200 or not body:find('"status":%s*"ok"') then nonok = nonok + 1 end
end

function done(summary, latency, requests)
   local bad, short, total = 0, 0, 0
   for _, t in ipairs(threads) do
      bad = bad + t:get("nonok")
      local s, n = t:get("sent"), t:get("ntickets")
      total = total + s
      if s > n then short = short + (s - n) end
   end
   io.write(string.format("checkin_nonok %d\ncheckin_sent %d\ncheckin_reused_tickets %d\n", bad, total, short))
end
