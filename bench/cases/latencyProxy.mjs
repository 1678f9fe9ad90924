// A TCP proxy that holds every chunk ONE_WAY_MS in each direction before passing it on, in order: a
// round trip through it costs about 2 × ONE_WAY_MS more, as a request to a regional endpoint does.
// Run as its own process (`node latencyProxy.mjs <target port> <one-way ms>`), so its work never
// shares the event loop of the client it measures; it prints the port it listens on. Timers fire on
// whole milliseconds, so a 2.5 ms hold lands at 2.5–3 ms.
import { connect, createServer } from 'node:net';

const [targetPort, oneWayMs] = process.argv.slice(2).map(Number);

/** Copies `from` to `to`, each chunk no sooner than `delayMs` after it arrived, in arrival order. */
function delayedPipe(from, to, delayMs) {
  const queue = [];
  let timer;
  const flush = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0].at <= now) to.write(queue.shift().chunk);
    if (queue.length > 0) timer = setTimeout(flush, queue[0].at - now);
  };
  from.on('data', (chunk) => {
    queue.push({ at: performance.now() + delayMs, chunk });
    timer ??= setTimeout(flush, delayMs);
  });
  from.on('end', () => {
    const end = () => (queue.length === 0 ? to.end() : setTimeout(end, delayMs));
    end();
  });
}

const server = createServer((client) => {
  const upstream = connect(targetPort, '127.0.0.1');
  for (const socket of [client, upstream]) {
    socket.setNoDelay(true);
    socket.on('error', () => {
      client.destroy();
      upstream.destroy();
    });
  }
  delayedPipe(client, upstream, oneWayMs);
  delayedPipe(upstream, client, oneWayMs);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
