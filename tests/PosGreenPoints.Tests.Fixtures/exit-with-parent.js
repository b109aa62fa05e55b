// Loaded with `node --require` ahead of Azurite by the test fixtures: the fixture holds this process's
// standard input open, so when the test process ends in any way — even killed — the pipe closes and
// Azurite goes too, leaving nothing behind.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

// A stop (SIGTERM, AzuriteFixture.StopAsync) is storage going down: every open connection is cut at once.
// Azurite's own shutdown only stops listening and waits for its clients' keep-alive connections to go
// quiet, which an app busy scoring never lets happen — the "outage" then began only once the app was idle.
// Azurite still finishes the requests it has read and saves its data before it exits.
const net = require('net');
const sockets = new Set();
const emit = net.Server.prototype.emit;
net.Server.prototype.emit = function (event, socket, ...rest) {
  if (event === 'connection') {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  }
  return emit.call(this, event, socket, ...rest);
};
process.on('SIGTERM', () => {
  for (const socket of sockets) {
    socket.destroy();
  }
});
