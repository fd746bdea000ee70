// Socket.IO load clients for Networkfest's benchmarks, driven by bench/*.py.
// Usage: node load.mjs CONFIG.json   (prints one JSON result on its last line)
// Every client is a real socket.io-client on the WebSocket transport, signed in with a
// personal token (`auth: {token}`), speaking the `/live` protocol of DESIGN.md.
import { readFileSync } from "node:fs";
import { io } from "socket.io-client";

const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const deadline = now() + cfg.budget_ms;

function stats(values) {
  if (values.length === 0) return { count: 0, p50: null, p95: null, p99: null, max: null };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) };
}

function open(token) {
  return io(cfg.url + "/live", {
    transports: ["websocket"],
    auth: token ? { token } : {},
    reconnection: false,
    forceNew: true,
    timeout: 60000,
    // bench/fanout_cluster.py: each client's loopback address, so that nginx's sticky hash
    // spreads them over the processes.
    ...(cfg.local_address_of?.[token] ? { localAddress: cfg.local_address_of[token] } : {}),
  });
}

// The live page's answers to `busy` (the server refused the event unwritten, for want of a
// database connection: docs/deploy.md): a vote is sent again after 0.5, 1 and 2 s, then
// given up (static/js/live/actions.js); a join is sent again, waiting up to 4 s between
// tries, until it succeeds (static/js/live/connection.js). Every refusal counts in `busy`.
const RETRIES = {
  vote: { waits: [500, 1000, 2000], tries: 4 },
  // An answer to a poll, sent again as the live page's poll form lets a person do.
  poll_answer: { waits: [500, 1000, 2000], tries: 4 },
  join: { waits: [500, 1000, 2000, 4000], tries: Infinity },
  // A person whose question was refused `busy` sends it again; here as a vote is.
  ask: { waits: [500, 1000, 2000], tries: 4 },
};
const busy = { join: 0, vote: 0, ask: 0, poll_answer: 0 };

// One event, sent again while the server answers `busy`: the last ack, or a timeout error.
async function withRetries(socket, event, payload, timeoutMs) {
  const { waits, tries } = RETRIES[event];
  for (let attempt = 1; ; attempt += 1) {
    let ack;
    try {
      ack = await socket.timeout(timeoutMs).emitWithAck(event, payload);
    } catch {
      return { ok: false, error: { code: "timeout", message: `no ack within ${timeoutMs} ms` } };
    }
    if (ack.ok || ack.error.code !== "busy") return ack;
    busy[event] += 1;
    if (attempt >= tries || now() > deadline) return ack;
    await sleep(waits[Math.min(attempt, waits.length) - 1]);
  }
}

async function connectAndJoin(token) {
  const socket = open(token);
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  const ack = await withRetries(socket, "join", { session: cfg.session }, 60000);
  if (!ack.ok) throw new Error("join refused: " + JSON.stringify(ack.error));
  return socket;
}

// Connect in batches so that set-up is not itself a join storm.
async function connectAll(tokens, batch = 100) {
  const sockets = [];
  for (let i = 0; i < tokens.length; i += batch) {
    sockets.push(...(await Promise.all(tokens.slice(i, i + batch).map(connectAndJoin))));
  }
  return sockets;
}

async function waitUntil(predicate, untilMs) {
  while (!predicate() && now() < untilMs) await sleep(20);
  return predicate();
}

async function fanout() {
  const askers = await connectAll(cfg.asker_tokens);
  const receivers = await connectAll(cfg.tokens);
  const sentAt = new Map();
  const latencies = [];
  // With `cfg.group_of` (token -> label, e.g. the process a client is on): latencies per group.
  const byGroup = {};
  // Each question's latencies apart: the run's p99 is set by its slowest few questions.
  const byQuestion = {};
  let delivered = 0;
  receivers.forEach((socket, i) => {
    const seen = new Set();
    const group = cfg.group_of?.[cfg.tokens[i]];
    socket.on("question", (q) => {
      const t0 = sentAt.get(q.text);
      if (t0 === undefined || seen.has(q.text)) return;
      seen.add(q.text);
      delivered += 1;
      const latency = now() - t0;
      latencies.push(latency);
      (byQuestion[q.text] ??= []).push(latency);
      if (group !== undefined) (byGroup[group] ??= []).push(latency);
    });
  });
  const refused = [];
  const start = now();
  const asks = [];
  for (let i = 0; i < cfg.questions; i += 1) {
    const wait = start + i * cfg.every_ms - now();
    if (wait > 0) await sleep(wait);
    const text = `${cfg.run} question ${i}`;
    sentAt.set(text, now());
    asks.push(
      askers[i % askers.length]
        .timeout(30000)
        .emitWithAck("ask", { session: cfg.session, text, anonymous: false })
        .then((ack) => ack.ok || refused.push(ack.error.code))
    );
  }
  await Promise.allSettled(asks);
  const expected = cfg.questions * receivers.length;
  await waitUntil(() => delivered >= expected, Math.min(deadline, now() + cfg.drain_ms));
  [...askers, ...receivers].forEach((s) => s.disconnect());
  const groups = Object.fromEntries(Object.entries(byGroup).map(([g, v]) => [g, stats(v)]));
  return {
    expected,
    delivered,
    ratio: delivered / expected,
    refused,
    latency: stats(latencies),
    groups,
    question_p99: stats(Object.values(byQuestion).map((v) => stats(v).p99)),
  };
}

async function votes() {
  const [asker] = await connectAll(cfg.asker_tokens);
  const receivers = await connectAll(cfg.tokens);
  const asked = await asker
    .timeout(30000)
    .emitWithAck("ask", { session: cfg.session, text: `${cfg.run} vote on me`, anonymous: false });
  if (!asked.ok) throw new Error("ask refused: " + JSON.stringify(asked.error));
  const id = asked.question.id;
  // Known once every vote is acknowledged: the votes acknowledged `ok`.
  let finalCount = null;
  let deliveries = 0;
  const finalSeenAt = new Array(receivers.length).fill(null);
  const lastVotes = new Array(receivers.length).fill(null);
  receivers.forEach((socket, i) => {
    socket.on("question", (q) => {
      if (q.id !== id) return;
      deliveries += 1;
      lastVotes[i] = q.votes;
      if (q.votes === finalCount && finalSeenAt[i] === null) finalSeenAt[i] = now();
    });
  });
  await sleep(500);
  deliveries = 0;
  busy.vote = 0;
  const refused = [];
  const acked = []; // ms from a person's click until the vote was counted, retries included
  let counted = 0;
  let lastVote = 0;
  const start = now();
  await Promise.all(
    receivers.map(async (socket) => {
      await sleep(Math.random() * cfg.spread_ms);
      const clicked = now();
      const ack = await withRetries(socket, "vote", { question: id, value: 1 }, 30000);
      lastVote = Math.max(lastVote, now());
      if (ack.ok) {
        counted += 1;
        acked.push(now() - clicked);
      } else {
        refused.push(ack.error.code);
      }
    })
  );
  // Every vote acknowledged `ok` is counted, and only those: that is the final count.
  finalCount = counted;
  receivers.forEach((socket, i) => {
    if (finalSeenAt[i] === null && lastVotes[i] === finalCount) finalSeenAt[i] = lastVote;
  });
  const allSeen = await waitUntil(
    () => finalSeenAt.every((t) => t !== null),
    Math.min(deadline, now() + cfg.drain_ms)
  );
  const settle = allSeen ? Math.max(...finalSeenAt) - lastVote : null;
  [asker, ...receivers].forEach((s) => s.disconnect());
  return {
    voters: receivers.length,
    counted,
    vote_window_ms: lastVote - start,
    all_show_final: allSeen,
    shown_final: finalSeenAt.filter((t) => t !== null).length,
    settle_ms: settle,
    deliveries,
    per_vote_broadcast: receivers.length * receivers.length,
    ack: stats(acked),
    busy: busy.vote,
    join_busy: busy.join,
    refused,
  };
}

// Poll storm: the host (an organiser: the first asker token) opens a poll written on the spot,
// then every receiver answers it once within `spread_ms`.
async function pollStorm() {
  const [host] = await connectAll(cfg.asker_tokens);
  const receivers = await connectAll(cfg.tokens);
  const opened = await host.timeout(30000).emitWithAck("poll_open", {
    session: cfg.session,
    question: `${cfg.run} poll`,
    options: cfg.options,
    multiple: false,
    results: "live",
  });
  if (!opened.ok) throw new Error("poll_open refused: " + JSON.stringify(opened.error));
  const id = opened.poll.id;
  // Known once every answer is acknowledged: the answers acknowledged `ok`, per option.
  let finalVotes = null;
  let deliveries = 0;
  const finalSeenAt = new Array(receivers.length).fill(null);
  const lastVotes = new Array(receivers.length).fill(null);
  receivers.forEach((socket, i) => {
    socket.on("poll", (poll) => {
      if (poll.id !== id) return;
      deliveries += 1;
      lastVotes[i] = JSON.stringify(poll.options.map((o) => o.votes));
      if (lastVotes[i] === finalVotes && finalSeenAt[i] === null) finalSeenAt[i] = now();
    });
  });
  await sleep(500);
  deliveries = 0;
  busy.poll_answer = 0;
  const refused = [];
  const acked = []; // ms from a person's click until the answer was counted, retries included
  const tally = cfg.options.map(() => 0);
  let lastAnswer = 0;
  const start = now();
  await Promise.all(
    receivers.map(async (socket, i) => {
      await sleep(Math.random() * cfg.spread_ms);
      const choice = 1 + (i % cfg.options.length);
      const clicked = now();
      const ack = await withRetries(socket, "poll_answer", { poll: id, choices: [choice] }, 30000);
      lastAnswer = Math.max(lastAnswer, now());
      if (ack.ok) {
        tally[choice - 1] += 1;
        acked.push(now() - clicked);
      } else {
        refused.push(ack.error.code);
      }
    })
  );
  finalVotes = JSON.stringify(tally);
  receivers.forEach((socket, i) => {
    if (finalSeenAt[i] === null && lastVotes[i] === finalVotes) finalSeenAt[i] = lastAnswer;
  });
  const allSeen = await waitUntil(
    () => finalSeenAt.every((t) => t !== null),
    Math.min(deadline, now() + cfg.drain_ms)
  );
  const settle = allSeen ? Math.max(...finalSeenAt) - lastAnswer : null;
  [host, ...receivers].forEach((s) => s.disconnect());
  return {
    people: receivers.length,
    counted: acked.length,
    answer_window_ms: lastAnswer - start,
    all_show_final: allSeen,
    shown_final: finalSeenAt.filter((t) => t !== null).length,
    settle_ms: settle,
    deliveries,
    per_answer_broadcast: receivers.length * receivers.length,
    ack: stats(acked),
    busy: busy.poll_answer,
    join_busy: busy.join,
    refused,
  };
}

async function joinStorm() {
  const start = now();
  const times = [];
  const failures = [];
  const sockets = [];
  await Promise.all(
    cfg.tokens.map(async (token) => {
      try {
        const socket = await connectAndJoin(token);
        sockets.push(socket);
        times.push(now() - start);
      } catch (error) {
        failures.push(String(error.message || error));
      }
    })
  );
  const all = now() - start;
  sockets.forEach((s) => s.disconnect());
  return {
    clients: cfg.tokens.length,
    joined: times.length,
    all_ms: all,
    join: stats(times),
    busy: busy.join,
    failures: failures.slice(0, 5),
  };
}

async function hardStop() {
  const receivers = await connectAll(cfg.tokens);
  const endedAt = new Array(receivers.length).fill(null);
  let offset = 0;
  receivers.forEach((socket, i) => {
    socket.on("clock", (c) => {
      if (c.phase === "ended" && endedAt[i] === null) endedAt[i] = now() + offset - cfg.ends_at_ms;
    });
  });
  const setTo = cfg.ends_at_ms - cfg.lead_ms;
  const before = now();
  const response = await fetch(cfg.url + "/_test/clock", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ now: setTo }),
  });
  const after = now();
  if (!response.ok) throw new Error("could not set the test clock: " + response.status);
  offset = setTo - (before + after) / 2;
  const allEnded = await waitUntil(
    () => endedAt.every((t) => t !== null),
    Math.min(deadline, now() + cfg.lead_ms + cfg.drain_ms)
  );
  const acks = await Promise.all(
    receivers.map((socket) =>
      withRetries(socket, "ask", { session: cfg.session, text: "Too late?", anonymous: false }, 30000)
    )
  );
  receivers.forEach((s) => s.disconnect());
  return {
    clients: receivers.length,
    all_ended: allEnded,
    got_ended: endedAt.filter((t) => t !== null).length,
    after_end: stats(endedAt.filter((t) => t !== null)),
    asks_refused: acks.filter((a) => !a.ok && a.error.code === "not_live").length,
    asks_accepted: acks.filter((a) => a.ok).length,
    asks_busy: busy.ask,
  };
}

// HTTP: keep-alive connections, `concurrency` requests in flight, for `duration_ms` per target.
async function pages() {
  const { Agent, request } = await import("node:http");
  const agent = new Agent({ keepAlive: true, maxSockets: cfg.concurrency });
  const get = (target) =>
    new Promise((resolve) => {
      const req = request(cfg.url + target.path, { agent, headers: target.headers || {} }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
      });
      req.on("error", () => resolve(0));
      req.end();
    });
  const results = [];
  for (const target of cfg.targets) {
    for (let i = 0; i < cfg.concurrency; i += 1) await get(target);
    const statuses = {};
    let done = 0;
    const start = now();
    const stop = start + cfg.duration_ms;
    await Promise.all(
      Array.from({ length: cfg.concurrency }, async () => {
        while (now() < stop) {
          const status = await get(target);
          statuses[status] = (statuses[status] || 0) + 1;
          done += 1;
        }
      })
    );
    results.push({ name: target.name, rps: done / ((now() - start) / 1000), statuses });
  }
  agent.destroy();
  return { targets: results };
}

// Registration: every token POSTs once, `concurrency` at a time, through the JSON API.
async function register() {
  const { Agent, request } = await import("node:http");
  const agent = new Agent({ keepAlive: true, maxSockets: cfg.concurrency });
  const post = (token) =>
    new Promise((resolve) => {
      const req = request(
        cfg.url + `/api/v1/sessions/${cfg.session}/registration`,
        { method: "POST", agent, headers: { Authorization: `Bearer ${token}`, "Content-Length": 0 } },
        (res) => {
          let body = "";
          res.on("data", (chunk) => (body += chunk));
          res.on("end", () => resolve({ status: res.statusCode, body }));
        }
      );
      req.on("error", (error) => resolve({ status: 0, body: String(error) }));
      req.end();
    });
  const queue = [...cfg.tokens];
  const outcomes = {};
  const errors = [];
  // Each token's answer, so the benchmark can check it against what the database holds.
  const answers = {};
  const start = now();
  await Promise.all(
    Array.from({ length: cfg.concurrency }, async () => {
      while (queue.length) {
        const token = queue.pop();
        const { status, body } = await post(token);
        let key = String(status);
        try {
          answers[token] = JSON.parse(body);
          key += " " + answers[token].status;
        } catch {
          if (errors.length < 3) errors.push(body.slice(0, 200));
        }
        outcomes[key] = (outcomes[key] || 0) + 1;
      }
    })
  );
  const seconds = (now() - start) / 1000;
  agent.destroy();
  return {
    requests: cfg.tokens.length,
    seconds,
    rps: cfg.tokens.length / seconds,
    outcomes,
    errors,
    answers,
  };
}

const modes = { fanout, votes, polls: pollStorm, join: joinStorm, hardstop: hardStop, pages, register };
try {
  const result = await modes[cfg.mode]();
  finish(0, { ok: true, ...result });
} catch (error) {
  finish(1, { ok: false, error: String(error.stack || error) });
}

// Exit once the result is written: to a pipe, `console.log` then `process.exit` can cut off
// a long line (the registration answers).
function finish(code, result) {
  process.stdout.write(JSON.stringify(result) + "\n", () => process.exit(code));
}
