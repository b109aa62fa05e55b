// Loaded into Azurite with `node --require` by the end-to-end benchmark (section 3), which cannot count
// the storage operations of the app from outside the runner process: here every request Azurite
// answers is counted by port and kind (HTTP method, or $batch for an entity-group transaction, whose
// body bytes are added up too, as its cost grows with its size), beside the processor time Azurite has
// used and a clock, so the benchmark can read both for any window of the run. Processor time, not
// event-loop utilisation: on a machine shared with other work, a thread waiting for a processor looks
// busy to the event loop.
// GET /__benchmark/requests on any Azurite port answers them as JSON instead of reaching Azurite;
// counting costs an increment.
// For the capacity model (docs/scale.md) it also counts requests by table, queue or container and
// whether they read or write, and the entities written per table partition: a point write names its
// partition in the URL, an insert in its JSON body, and an entity-group transaction in its body's
// operations (one partition each). Bodies are watched as Azurite reads them, never read here.
const http = require('http');
const { performance } = require('perf_hooks');

const counts = {};
const resources = {};
const entities = {};
const emit = http.Server.prototype.emit;
const add = (kind, amount) => {
  counts[kind] = (counts[kind] || 0) + amount;
};
const addTo = (into, key, amount) => {
  into[key] = (into[key] || 0) + amount;
};

const decode = (text) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

// "/devstoreaccount1/Members(PartitionKey='m03',RowKey='x')?..." -> "Members"; queues and blobs: the first segment.
const resourceOf = (url) => {
  const path = decode(url.split('?')[0]).split('/').filter((part) => part.length > 0);
  const name = path.length > 1 ? path[1] : '(account)';
  return name.replace(/\(.*$/s, '');
};

const partitionIn = (text) => {
  const inKey = /PartitionKey='((?:[^']|'')*)'/.exec(text);
  if (inKey) {
    return inKey[1].replace(/''/g, "'");
  }

  const inBody = /"PartitionKey"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text);
  return inBody ? inBody[1] : '(none)';
};

// An entity-group transaction: every operation line of its change set writes one entity of one partition.
const countBatch = (port, body) => {
  const operations = [...body.matchAll(/^(POST|PUT|PATCH|MERGE|DELETE|GET) (\S+) HTTP\/1\.1/gm)];
  const writes = operations.filter((operation) => operation[1] !== 'GET');
  if (writes.length === 0) {
    return;
  }

  const table = resourceOf(new URL(writes[0][2], 'http://x').pathname);
  addTo(resources, `${port} ${table} write`, 1);
  addTo(entities, `${port} ${table}|${partitionIn(decode(body))}`, writes.length);
};

const watchBody = (request, done) => {
  const chunks = [];
  const original = request.emit;
  request.emit = function (event, chunk) {
    if (event === 'data') {
      chunks.push(Buffer.from(chunk));
    } else if (event === 'end') {
      done(Buffer.concat(chunks).toString('utf8'));
    }

    return original.apply(this, arguments);
  };
};

http.Server.prototype.emit = function (event, request, response) {
  if (event !== 'request') {
    return emit.apply(this, arguments);
  }

  if (request.url === '/__benchmark/requests') {
    const { user, system } = process.cpuUsage();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ counts, resources, entities, cpuMs: (user + system) / 1000, clockMs: performance.now() }));
    return true;
  }

  const port = this.address().port;
  const batch = request.url.includes('$batch');
  add(`${port} ${batch ? '$batch' : request.method}`, 1);
  if (batch) {
    add(`${port} $batch bytes`, Number(request.headers['content-length'] || 0));
    watchBody(request, (body) => countBatch(port, body));
  } else {
    const resource = resourceOf(request.url);
    const writes = request.method !== 'GET' && request.method !== 'HEAD';
    addTo(resources, `${port} ${resource} ${writes ? 'write' : 'read'}`, 1);
    // A table's own rows: a point write names its partition, an insert (POST to the table) carries it in the body.
    if (writes && resource !== 'Tables' && resource !== '(account)') {
      if (request.method === 'POST') {
        watchBody(request, (body) => addTo(entities, `${port} ${resource}|${partitionIn(body)}`, 1));
      } else {
        addTo(entities, `${port} ${resource}|${partitionIn(decode(request.url))}`, 1);
      }
    }
  }

  return emit.apply(this, arguments);
};
