// The echo server of net-bench.js's `server-echo`, served by Node's `cluster` with WORKERS processes
// (default 2) sharing one listening port: Node's way of using several cores. Scheduling is cluster's
// default on Linux (round robin: the primary accepts and hands each connection to the next worker);
// NODE_CLUSTER_SCHED_POLICY=none leaves the choice to the kernel (every worker accepts on the shared socket).
//
//   node cluster-echo.js    prints "port=<n>" once every worker listens; serves until killed
'use strict';
const cluster = require('cluster');
const net = require('net');

const workers = Number(process.env.WORKERS) > 0 ? Number(process.env.WORKERS) : 2;

if (cluster.isPrimary) {
  let listening = 0;
  cluster.on('listening', (worker, address) => {
    if (++listening === workers) console.log(`port=${address.port}`);
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  const stop = () => {
    for (const id in cluster.workers) cluster.workers[id].process.kill();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.on('data', (data) => socket.write(data));
  });
  // Port 0 in a cluster: every worker gets the one port the primary bound.
  server.listen(0, '127.0.0.1');
}
