// Loaded with `node --require` ahead of Azurite by the test fixtures: the fixture holds this process's
// standard input open, so when the test process ends in any way — even killed — the pipe closes and
// Azurite goes too, leaving nothing behind.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
