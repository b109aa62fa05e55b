// Loaded into Azurite with `node --require` by the end-to-end benchmark (section 3), which cannot count
// the storage operations of the app from outside the runner process: here every request Azurite
// answers is counted by port and kind (HTTP method, or $batch for an entity-group transaction, whose
// body bytes are added up too, as its cost grows with its size), beside the processor time Azurite has
// used and a clock, so the benchmark can read both for any window of the run. Processor time, not
// event-loop utilisation: on a machine shared with other work, a thread waiting for a processor looks
// busy to the event loop.
// GET /__benchmark/requests on any Azurite port answers them as JSON instead of reaching Azurite;
// counting costs an increment.
const http = require('http');
const { performance } = require('perf_hooks');

const counts = {};
const emit = http.Server.prototype.emit;
const add = (kind, amount) => {
  counts[kind] = (counts[kind] || 0) + amount;
};

http.Server.prototype.emit = function (event, request, response) {
  if (event !== 'request') {
    return emit.apply(this, arguments);
  }

  if (request.url === '/__benchmark/requests') {
    const { user, system } = process.cpuUsage();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ counts, cpuMs: (user + system) / 1000, clockMs: performance.now() }));
    return true;
  }

  const port = this.address().port;
  const batch = request.url.includes('$batch');
  add(`${port} ${batch ? '$batch' : request.method}`, 1);
  if (batch) {
    add(`${port} $batch bytes`, Number(request.headers['content-length'] || 0));
  }

  return emit.apply(this, arguments);
};
