// The socket scenarios over Node's `net`, the behaviour Net reproduces.
//
//   node net-bench.js <scenario>     one scenario in this process (both ends on loopback), one output line
//   node net-bench.js server-echo    an echo server on 127.0.0.1:<random>; prints "port=<n>", serves until killed
//
// Scenarios (the same names in ../c/uvbench.c, NetBench and NIOBench):
//   {c2s,s2c,pipe}-{buf,asc,utf}-<len>   benchmark/net/net-{c2s,s2c,pipe}.js: the sender writes <len>-byte
//       chunks (a Buffer, an ASCII string or a UTF-8 string of 'ü's) as the stream lets it (write; on false
//       wait for 'drain', else go on in process.nextTick), the receiver counts the bytes of its 'data'
//       events. Gbit/s = bytes * 8 / 2^30 per second (Node's formula); pipe counts the echoed bytes twice.
//   s2c-onread-buf-<len>   s2c with the client reading through `onread` into one 64 KiB buffer.
//   c2s-cork-buf-<len>     benchmark/net/net-c2s-cork.js: cork, write until false, uncork; again on 'drain'.
//   pingpong-<n>           n connections, each with one 64-byte message in flight, setNoDelay; rt/s.
//   connrate-<n>           connect + accept + close with n connections in flight; conn/s.
'use strict';
const net = require('net');

const scenario = process.argv[2];
const seconds = Number(process.env.BENCH_SECONDS) > 0 ? Number(process.env.BENCH_SECONDS) : 1;
const warmup = Math.max(seconds / 5, 0.05);
const GBIT = 8 / (1024 * 1024 * 1024);

let counted = 0;

// Counts are dropped during the warm-up, then measured for `seconds`.
function startClock(scale, unit) {
  setTimeout(() => {
    const base = counted;
    const start = process.hrtime.bigint();
    setTimeout(() => {
      const secs = Number(process.hrtime.bigint() - start) / 1e9;
      console.log(`scenario=${scenario} impl=node ops_per_s=${((counted - base) * scale / secs).toPrecision(6)} unit=${unit}`);
      process.exit(0);
    }, seconds * 1000);
  }, warmup * 1000);
}

function listen(onConnection, then) {
  const server = net.createServer(onConnection);
  server.listen(0, '127.0.0.1', () => then(server.address().port));
  return server;
}

function makeChunk(type, len) {
  switch (type) {
    case 'buf': return [Buffer.alloc(len, 'x'), undefined];
    case 'asc': return ['x'.repeat(len), 'ascii'];
    case 'utf': return ['ü'.repeat(len / 2), 'utf8'];
    default: throw new Error(`invalid type: ${type}`);
  }
}

// Node's flow(): write; when the stream says false wait for 'drain', else go on in the next tick.
function flow(socket, chunk, encoding) {
  const next = () => {
    if (socket.write(chunk, encoding)) process.nextTick(next);
    else socket.once('drain', next);
  };
  next();
}

function count(socket) {
  socket.on('data', (data) => { counted += data.length; });
}

function throughput(dir, type, len, onread) {
  const [chunk, encoding] = makeChunk(type, len);
  const scale = GBIT * (dir === 'pipe' ? 2 : 1);
  listen((socket) => {
    socket.on('error', () => {});
    if (dir === 'c2s') count(socket);
    else if (dir === 's2c') flow(socket, chunk, encoding);
    else socket.pipe(socket);
  }, (port) => {
    const options = { port, host: '127.0.0.1' };
    if (onread) {
      options.onread = { buffer: Buffer.alloc(64 * 1024), callback: (n) => { counted += n; } };
    }
    const socket = net.connect(options, () => {
      startClock(scale, 'Gbit/s');
      if (dir === 'c2s') flow(socket, chunk, encoding);
      else if (dir === 's2c') { if (!onread) count(socket); }
      else { count(socket); flow(socket, chunk, encoding); }
    });
  });
}

function cork(len) {
  const chunk = Buffer.alloc(len, 'x');
  listen((socket) => count(socket), (port) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      startClock(GBIT, 'Gbit/s');
      const send = () => {
        socket.cork();
        while (socket.write(chunk));
        socket.uncork();
      };
      socket.on('drain', send);
      send();
    });
  });
}

function echo(socket) {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  socket.on('data', (data) => socket.write(data));
}

function pingpong(conns) {
  const message = Buffer.alloc(64, 'x');
  listen(echo, (port) => {
    let connected = 0;
    for (let i = 0; i < conns; i++) {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.setNoDelay(true);
        let got = 0;
        socket.on('data', (data) => {
          got += data.length;
          while (got >= 64) {
            got -= 64;
            counted++;
            socket.write(message);
          }
        });
        socket.write(message);
        if (++connected === conns) startClock(1, 'rt/s');
      });
    }
  });
}

function connrate(inFlight) {
  listen((socket) => { socket.on('error', () => {}); socket.destroy(); }, (port) => {
    const start = () => {
      const socket = net.connect(port, '127.0.0.1', () => socket.destroy());
      socket.on('error', () => {});
      socket.on('close', () => { counted++; start(); });
    };
    startClock(1, 'conn/s');
    for (let i = 0; i < inFlight; i++) start();
  });
}

let m;
if (scenario === 'server-echo') {
  listen(echo, (port) => console.log(`port=${port}`));
} else if ((m = /^pingpong-(\d+)$/.exec(scenario))) {
  pingpong(Number(m[1]));
} else if ((m = /^connrate-(\d+)$/.exec(scenario))) {
  connrate(Number(m[1]));
} else if ((m = /^s2c-onread-buf-(\d+)$/.exec(scenario))) {
  throughput('s2c', 'buf', Number(m[1]), true);
} else if ((m = /^c2s-cork-buf-(\d+)$/.exec(scenario))) {
  cork(Number(m[1]));
} else if ((m = /^(c2s|s2c|pipe)-(buf|asc|utf)-(\d+)$/.exec(scenario))) {
  throughput(m[1], m[2], Number(m[3]), false);
}
// Anything else is not a scenario of this implementation: print nothing.
