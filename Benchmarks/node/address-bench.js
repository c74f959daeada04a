'use strict';
// Node's side of the address benchmarks: the same work as Sources/AddressBench/main.swift, one line per
// scenario: scenario=<name> impl=node ops_per_s=<n> iterations=<n> checksum=<n>
// Environment: BENCH_SECONDS (default 0.5), BENCH_FILTER (substring of scenario names).

const { isIPv4, isIPv6, BlockList } = require('net');

const budget = Number(process.env.BENCH_SECONDS || 0.5);
const filter = process.env.BENCH_FILTER;
const now = () => Number(process.hrtime.bigint()) / 1e9;

function measure(scenario, body) {
  if (filter && !scenario.includes(filter)) return;
  let batch = 1;
  let checksum = 0;
  for (;;) { // warm-up and calibration
    const t0 = now();
    checksum += body(batch);
    if (now() - t0 > 0.01 || batch >= 2 ** 30) break;
    batch *= 2;
  }
  checksum = 0;
  let iterations = 0;
  let elapsed = 0;
  while (elapsed < budget) {
    const t0 = now();
    checksum += body(batch);
    elapsed += now() - t0;
    iterations += batch;
  }
  const rate = Math.floor(iterations / elapsed);
  console.log(`scenario=${scenario} impl=node ops_per_s=${rate} iterations=${iterations} checksum=${checksum}`);
}

// benchmark/net/net-is-ip-v4.js and net-is-ip-v6.js: one op = three calls.
measure('isipv4', (n) => {
  let count = 0;
  for (let i = 0; i < n; ++i) {
    if (isIPv4('0.0.0.0')) count++;
    if (isIPv4('255.255.255.255')) count++;
    if (isIPv4('0.0.0.0.0')) count++;
  }
  return count;
});

measure('isipv6', (n) => {
  let count = 0;
  for (let i = 0; i < n; ++i) {
    if (isIPv6('::1')) count++;
    if (isIPv6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')) count++;
    if (isIPv6('0.0.0.0')) count++;
  }
  return count;
});

// BlockList.check: the same rule sets as the Swift side (same generator).
function ruleSet() {
  let state = 12345;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
  const v4 = (x) => `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
  return function build(list, kind, count) {
    const hits = [];
    const every = Math.max(1, Math.floor(count / 16));
    for (let i = 0; i < count; i++) {
      const sort = kind === 'address' ? 0 : kind === 'subnet' ? 2 : i % 4;
      let hit;
      if (sort === 0) {
        const x = (0x0A000000 | (next() & 0x00FFFFFF)) >>> 0;
        list.addAddress(v4(x));
        hit = [v4(x), 'ipv4'];
      } else if (sort === 1) {
        const x = (0x0A000000 | (next() & 0x00FFFFF0)) >>> 0;
        list.addRange(v4(x), v4(x + 15));
        hit = [v4(x + 7), 'ipv4'];
      } else if (sort === 2) {
        const x = (0x0A000000 | (next() & 0x00FFFF00)) >>> 0;
        list.addSubnet(v4(x), 24);
        hit = [v4(x + 77), 'ipv4'];
      } else {
        const net = `2001:db8:${(next() & 0xFFFF).toString(16)}:${(next() & 0xFFFF).toString(16)}`;
        list.addSubnet(`${net}::`, 64, 'ipv6');
        hit = [`${net}::1234`, 'ipv6'];
      }
      if (i % every === 0 && hits.length < 16) hits.push(hit);
    }
    return hits;
  };
}

for (const kind of ['address', 'subnet', 'mixed']) {
  for (const count of [10, 100, 1000, 10000]) {
    const list = new BlockList();
    const hits = ruleSet()(list, kind, count);
    const misses = [];
    for (let k = 0; k < 16; k++) {
      misses.push(kind === 'mixed' && k % 2 === 1 ? [`2001:db9::${k}`, 'ipv6'] : [`192.0.2.${k}`, 'ipv4']);
    }
    for (const [outcome, inputs] of [['hit', hits], ['miss', misses]]) {
      measure(`blocklist-${kind}-${count}-${outcome}`, (n) => {
        let blocked = 0;
        for (let i = 0; i < n; i++) {
          const [address, family] = inputs[(i & 15) % inputs.length];
          if (list.check(address, family)) blocked++;
        }
        if (blocked !== (outcome === 'hit' ? n : 0)) {
          throw new Error(`blocklist-${kind}-${count}-${outcome}: ${blocked} of ${n} blocked`);
        }
        return blocked;
      });
    }
  }
}
