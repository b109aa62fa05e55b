// What one write costs Azurite's table store as the table grows (docs/benchmarks.md, "Section 5").
// Azurite keeps each table in one LokiJS collection with sorted indexes on PartitionKey and RowKey;
// this builds such a collection of n wallet-like rows with the LokiJS Azurite ships with and times,
// per operation, what Azurite does for a replace (find, remove, insert), a merge (find, update), an
// insert and a point read. Run from the repository root: node benchmarks/PosGreenPoints.Benchmarks/lokijs-costs.js
const path = require('path');
const loki = require(path.join(__dirname, '..', '..', 'node_modules', 'lokijs'));

const key = (i) => '!w!M' + String(i).padStart(7, '0');
const time = (operations, body) => {
  const started = process.hrtime.bigint();
  for (let k = 0; k < operations; k++) {
    body(k);
  }
  return Number(process.hrtime.bigint() - started) / 1e6 / operations;
};

console.log('| rows in the table | replace | merge | insert | point read |');
console.log('|---:|---:|---:|---:|---:|');
for (const n of [30000, 100000, 300000]) {
  const collection = new loki('costs').addCollection('table', { indices: ['PartitionKey', 'RowKey'] });
  for (let i = 0; i < n; i++) {
    collection.insert({ PartitionKey: 'b' + (i % 16), RowKey: key(i), properties: { points: i } });
  }

  const operations = 2000;
  const find = (i) => collection.findOne({ RowKey: key(i), PartitionKey: 'b' + (i % 16) });
  const replace = time(operations, (k) => {
    const doc = find((k * 7919) % n);
    collection.remove(doc);
    collection.insert({ PartitionKey: doc.PartitionKey, RowKey: doc.RowKey, properties: { points: k } });
  });
  const merge = time(operations, (k) => {
    const doc = find((k * 7919 + 13) % n);
    collection.update({ ...doc, properties: { ...doc.properties, points: k } });
  });
  const insert = time(operations, (k) => collection.insert({ PartitionKey: 'b' + (k % 16), RowKey: 'M' + k + '!s!', properties: { points: k } }));
  const read = time(operations, (k) => find((k * 7919 + 29) % n));
  const ms = (value) => value.toFixed(3) + ' ms';
  console.log(`| ${n.toLocaleString('en-US')} | ${ms(replace)} | ${ms(merge)} | ${ms(insert)} | ${ms(read)} |`);
}
