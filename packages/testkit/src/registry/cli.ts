// Starts the test registry for a demo: `node --conditions=source-kafka-source --import tsx packages/testkit/src/registry/cli.ts [port]`.
// Prints the URL on stdout and runs until interrupted.
import { startTestRegistry } from './server.js';

const port = Number(process.argv[2] ?? 0);
const registry = await startTestRegistry({ port: Number.isInteger(port) ? port : 0 });
process.stdout.write(`${registry.url}\n`);
const stop = (): void => {
  void registry.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
